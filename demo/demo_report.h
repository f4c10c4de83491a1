// The end-to-end demo's results and report (sinsr demo): bicubic vs the 15-step teacher vs the one-step
// student on held-out photos: mean PSNR/SSIM, seconds per image and the speed-up, the three checks the
// demo exists to show, per-image numbers, crops side by side and the loss curves.
#pragma once
#include <string>
#include <vector>

#include "eval/html_page.h"

namespace sinsr::demo {

struct DemoMethod {
  std::string name;    // "bicubic", "teacher", "student"
  std::string detail;  // how it was run, e.g. "15 deterministic steps"
  int network_calls = 0;
};

struct DemoImage {
  std::string image;
  std::vector<double> seconds, psnr, ssim;  // one per method, in DemoResults::methods order
};

struct DemoResults {
  std::vector<DemoMethod> methods;  // bicubic first, then the teacher, then the student
  std::vector<DemoImage> images;
  std::string metric_protocol;     // e.g. "pyiqa-ycbcr"
  std::vector<std::string> setup;  // lines describing the run (photos, pairs, steps, threads, ...)
  std::vector<std::string> notes;  // paragraphs that explain the numbers (plain text)
  std::vector<eval::CropSet> crops;
  std::vector<std::pair<std::string, std::string>> curves;  // (caption, png relative to the report)
  double total_seconds = 0;
};

struct DemoSummary {
  std::vector<double> psnr, ssim, seconds;  // means per method
  double speedup = 0;                       // teacher seconds / student seconds per image
  double student_minus_teacher = 0, teacher_over_bicubic = 0, student_over_bicubic = 0;  // dB
  bool student_close = false, both_beat_bicubic = false, fast_enough = false;
};

// The bars: |student - teacher| <= 0.5 dB, both >= 1 dB above bicubic, speed-up >= 8.
DemoSummary summarize(const DemoResults& results);

// DIR/report.html (self-contained apart from the PNGs it links) and DIR/results.json; atomic writes.
void write_demo_report(const std::string& dir, const DemoResults& results);

// The summary as a few lines of text (what sinsr demo prints at the end).
std::string summary_text(const DemoResults& results);

}  // namespace sinsr::demo
