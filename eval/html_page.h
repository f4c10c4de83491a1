// The HTML pieces every report shares (sinsr eval, sweep reports, the demo): one stylesheet, escaping,
// figures and side-by-side crops, and an atomically written self-contained page (inline CSS, no scripts,
// relative links to PNGs).
#pragma once
#include <string>
#include <vector>

namespace sinsr::eval {

std::string html_escape(const std::string& s);
// A relative path as a URL: every byte outside the unreserved set and '/' percent-encoded, so names with
// spaces, '#', '?' or '%' still point at their file.
std::string path_url(const std::string& path);
// <figure> with an image of class `img_class` ("plot" or "crop") and a caption.
std::string figure(const std::string& img_class, const std::string& png, const std::string& caption);

// Side-by-side crops of one image: panels left to right (e.g. "LR (bicubic x4)", "teacher", "student").
struct CropPanel {
  std::string label;
  std::string png;  // path relative to the report's folder
};
struct CropSet {
  std::string image;  // image file name
  std::vector<CropPanel> panels;
};
// An h2 "Crops" and one row of panels per set ("" for none).
std::string crops_section(const std::vector<CropSet>& crops);

// <!DOCTYPE html> ... <h1>title</h1> body_html ...; written atomically.
void write_html_page(const std::string& path, const std::string& title, const std::string& body_html);

}  // namespace sinsr::eval
