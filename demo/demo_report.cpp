#include "demo/demo_report.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/util/atomic_file.h"
#include "core/util/json.h"

namespace sinsr::demo {

namespace {

constexpr double kCloseDb = 0.5, kBeatDb = 1.0, kMinSpeedup = 8.0;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string verdict(bool ok) { return ok ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>"; }

std::string checks_html(const DemoSummary& s) {
  std::string html = "<h2>What the demo shows</h2>\n<ul class=\"checks\">\n";
  html += "<li>" + verdict(s.student_close) + " the one-step student is within " + fmt("%.1f", kCloseDb) +
          " dB PSNR of the 15-step teacher: " + fmt("%+.2f", s.student_minus_teacher) + " dB</li>\n";
  html += "<li>" + verdict(s.both_beat_bicubic) + " both beat bicubic by at least " + fmt("%.0f", kBeatDb) +
          " dB: teacher " + fmt("%+.2f", s.teacher_over_bicubic) + " dB, student " +
          fmt("%+.2f", s.student_over_bicubic) + " dB</li>\n";
  html += "<li>" + verdict(s.fast_enough) + " the student is at least " + fmt("%.0f", kMinSpeedup) +
          "&times; faster per image than the teacher: " + fmt("%.1f", s.speedup) + "&times;</li>\n";
  return html + "</ul>\n";
}

std::string methods_table(const DemoResults& r, const DemoSummary& s) {
  std::string html =
      "<h2>Held-out photos: means</h2>\n<p class=\"note\">" + std::to_string(r.images.size()) +
      " images; PSNR/SSIM: " + eval::html_escape(r.metric_protocol) +
      " (the SinSR paper's protocol); seconds: wall clock per image on this machine, network and sampler only.</p>\n"
      "<div class=\"table-wrap\"><table>\n<thead><tr><th>method</th><th>how</th><th class=\"num\">network calls</th>"
      "<th class=\"num\">PSNR (dB) &uarr;</th><th class=\"num\">SSIM &uarr;</th><th class=\"num\">s / image</th>"
      "<th class=\"num\">speed vs teacher</th></tr></thead>\n<tbody>\n";
  const double teacher_s = s.seconds[1];
  for (size_t m = 0; m < r.methods.size(); ++m) {
    html += "<tr><td>" + eval::html_escape(r.methods[m].name) + "</td><td>" + eval::html_escape(r.methods[m].detail) +
            "</td><td class=\"num\">" + std::to_string(r.methods[m].network_calls) + "</td><td class=\"num\">" +
            fmt("%.3f", s.psnr[m]) + "</td><td class=\"num\">" + fmt("%.4f", s.ssim[m]) + "</td><td class=\"num\">" +
            fmt("%.3f", s.seconds[m]) + "</td><td class=\"num\">" +
            (r.methods[m].network_calls > 0 ? fmt("%.1f&times;", teacher_s / s.seconds[m]) : "&ndash;") +
            "</td></tr>\n";
  }
  return html + "</tbody></table></div>\n";
}

std::string images_table(const DemoResults& r) {
  std::string html = "<h2>Per image</h2>\n<div class=\"table-wrap\"><table>\n<thead><tr><th>image</th>";
  for (const auto& m : r.methods)
    html += "<th class=\"num\">" + eval::html_escape(m.name) + "<span class=\"variant\">PSNR</span></th>";
  for (const auto& m : r.methods)
    html += "<th class=\"num\">" + eval::html_escape(m.name) + "<span class=\"variant\">seconds</span></th>";
  html += "</tr></thead>\n<tbody>\n";
  for (const auto& img : r.images) {
    html += "<tr><td>" + eval::html_escape(img.image) + "</td>";
    for (double v : img.psnr) html += "<td class=\"num\">" + fmt("%.3f", v) + "</td>";
    for (double v : img.seconds) html += "<td class=\"num\">" + fmt("%.3f", v) + "</td>";
    html += "</tr>\n";
  }
  return html + "</tbody></table></div>\n";
}

}  // namespace

DemoSummary summarize(const DemoResults& r) {
  DemoSummary s;
  const size_t M = r.methods.size();
  s.psnr.assign(M, 0);
  s.ssim.assign(M, 0);
  s.seconds.assign(M, 0);
  for (const auto& img : r.images)
    for (size_t m = 0; m < M; ++m) {
      s.psnr[m] += img.psnr[m];
      s.ssim[m] += img.ssim[m];
      s.seconds[m] += img.seconds[m];
    }
  const auto n = static_cast<double>(std::max<size_t>(1, r.images.size()));
  for (size_t m = 0; m < M; ++m) {
    s.psnr[m] /= n;
    s.ssim[m] /= n;
    s.seconds[m] /= n;
  }
  s.speedup = s.seconds[1] / s.seconds[2];
  s.student_minus_teacher = s.psnr[2] - s.psnr[1];
  s.teacher_over_bicubic = s.psnr[1] - s.psnr[0];
  s.student_over_bicubic = s.psnr[2] - s.psnr[0];
  s.student_close = std::abs(s.student_minus_teacher) <= kCloseDb;
  s.both_beat_bicubic = s.teacher_over_bicubic >= kBeatDb && s.student_over_bicubic >= kBeatDb;
  s.fast_enough = s.speedup >= kMinSpeedup;
  return s;
}

std::string summary_text(const DemoResults& r) {
  const DemoSummary s = summarize(r);
  std::string text = "method     calls   PSNR(dB)   SSIM    s/image\n";
  for (size_t m = 0; m < r.methods.size(); ++m) {
    char line[160];
    std::snprintf(line, sizeof line, "%-9s %6d %10.3f %7.4f %9.3f\n", r.methods[m].name.c_str(),
                  r.methods[m].network_calls, s.psnr[m], s.ssim[m], s.seconds[m]);
    text += line;
  }
  text += "student - teacher: " + fmt("%+.2f", s.student_minus_teacher) + " dB (" +
          (s.student_close ? "PASS" : "FAIL") + ", |.| <= 0.5); over bicubic: teacher " +
          fmt("%+.2f", s.teacher_over_bicubic) + " dB, student " + fmt("%+.2f", s.student_over_bicubic) + " dB (" +
          (s.both_beat_bicubic ? "PASS" : "FAIL") + ", >= 1); speed-up " + fmt("%.1f", s.speedup) + "x (" +
          (s.fast_enough ? "PASS" : "FAIL") + ", >= 8)\n";
  return text;
}

void write_demo_report(const std::string& dir, const DemoResults& r) {
  const DemoSummary s = summarize(r);
  std::string body =
      "<p class=\"note\">A 15-step diffusion teacher distilled into a one-step student (SinSR), "
      "trained and evaluated on this machine in " +
      fmt("%.0f", r.total_seconds) + " s.</p>\n";
  body += checks_html(s);
  for (const auto& note : r.notes) body += "<p>" + eval::html_escape(note) + "</p>\n";
  body += methods_table(r, s) + images_table(r);
  if (!r.curves.empty()) {
    body += "<h2>Loss curves</h2>\n<div class=\"grid\">\n";
    for (const auto& [caption, png] : r.curves) body += eval::figure("plot", png, caption);
    body += "</div>\n";
  }
  body += eval::crops_section(r.crops);
  body += "<h2>Setup</h2>\n<ul class=\"note\">\n";
  for (const auto& line : r.setup) body += "<li>" + eval::html_escape(line) + "</li>\n";
  body +=
      "</ul>\n<style>.pass{color:#0a7d28;font-weight:700}.fail{color:#b3261e;font-weight:700}"
      ".checks li{margin:4px 0}img.crop{width:216px}</style>\n";
  eval::write_html_page((std::filesystem::path(dir) / "report.html").string(), "SinSR demo: one step vs fifteen", body);

  Json methods = Json::array();
  for (size_t m = 0; m < r.methods.size(); ++m)
    methods.push_back(Json::object({{"name", Json::string(r.methods[m].name)},
                                    {"detail", Json::string(r.methods[m].detail)},
                                    {"network_calls", Json::number(r.methods[m].network_calls)},
                                    {"psnr", Json::number(s.psnr[m])},
                                    {"ssim", Json::number(s.ssim[m])},
                                    {"seconds_per_image", Json::number(s.seconds[m])}}));
  Json images = Json::array();
  for (const auto& img : r.images) {
    Json per = Json::object({{"image", Json::string(img.image)}});
    for (size_t m = 0; m < r.methods.size(); ++m)
      per.set(r.methods[m].name, Json::object({{"psnr", Json::number(img.psnr[m])},
                                               {"ssim", Json::number(img.ssim[m])},
                                               {"seconds", Json::number(img.seconds[m])}}));
    images.push_back(per);
  }
  Json doc = Json::object({{"metric_protocol", Json::string(r.metric_protocol)},
                           {"methods", methods},
                           {"speedup", Json::number(s.speedup)},
                           {"student_minus_teacher_db", Json::number(s.student_minus_teacher)},
                           {"teacher_over_bicubic_db", Json::number(s.teacher_over_bicubic)},
                           {"student_over_bicubic_db", Json::number(s.student_over_bicubic)},
                           {"checks", Json::object({{"student_close", Json::boolean(s.student_close)},
                                                    {"both_beat_bicubic", Json::boolean(s.both_beat_bicubic)},
                                                    {"fast_enough", Json::boolean(s.fast_enough)}})},
                           {"images", images},
                           {"total_seconds", Json::number(r.total_seconds)}});
  write_file_atomically((std::filesystem::path(dir) / "results.json").string(), doc.dump(2) + "\n");
}

}  // namespace sinsr::demo
