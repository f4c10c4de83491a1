#include "eval/html_page.h"

#include <cctype>

#include "core/util/atomic_file.h"

namespace sinsr::eval {

namespace {

const char kStyle[] = R"(
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2430; margin: 0;
       background: #f6f7f9; }
main { max-width: 1400px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; border-bottom: 2px solid #d8dce3; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 22px 0 8px; }
.note { color: #5b6472; font-size: 13px; margin: 0 0 8px; }
.table-wrap { max-height: 75vh; overflow: auto; border: 1px solid #d8dce3; border-radius: 6px; background: #fff;
              width: fit-content; max-width: 100%; }
table { border-collapse: separate; border-spacing: 0; font-size: 14px; }
th, td { padding: 6px 12px; border-bottom: 1px solid #eceef2; white-space: nowrap; }
thead th { position: sticky; top: 0; z-index: 1; background: #eef1f5; text-align: left; vertical-align: bottom;
           border-bottom: 1px solid #c9ced6; font-weight: 600; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
.variant { display: block; font-weight: 400; color: #5b6472; font-size: 12px; }
tbody tr:nth-child(even) td { background: #fafbfc; }
tbody tr:hover td { background: #eaf2fd; }
td strong { color: #0b5394; }
.missing { color: #a0a6b0; }
.grid { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid #d8dce3; border-radius: 6px; padding: 8px; }
figcaption { font-size: 13px; color: #3a4350; margin-top: 6px; text-align: center; }
img.plot { display: block; width: 540px; max-width: 100%; height: auto; }
.crop-row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
img.crop { display: block; width: 256px; height: auto; image-rendering: pixelated; }
)";

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string path_url(const std::string& path) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string figure(const std::string& img_class, const std::string& png, const std::string& caption) {
  const std::string text = html_escape(caption);
  return "<figure><img class=\"" + img_class + "\" src=\"" + html_escape(path_url(png)) + "\" alt=\"" + text +
         "\"><figcaption>" + text + "</figcaption></figure>\n";
}

std::string crops_section(const std::vector<CropSet>& crops) {
  if (crops.empty()) return "";
  std::string html = "<h2>Crops</h2>\n";
  for (const auto& set : crops) {
    html += "<h3>" + html_escape(set.image) + "</h3>\n<div class=\"crop-row\">\n";
    for (const auto& panel : set.panels) html += figure("crop", panel.png, panel.label);
    html += "</div>\n";
  }
  return html;
}

void write_html_page(const std::string& path, const std::string& title, const std::string& body_html) {
  const std::string head = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                           html_escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n";
  const std::string body = "<body>\n<main>\n<h1>" + html_escape(title) + "</h1>\n" + body_html + "</main>\n</body>\n";
  write_file_atomically(path, head + body + "</html>\n");
}

}  // namespace sinsr::eval
