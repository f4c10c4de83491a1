// Line charts written as PNG files (OpenCV drawing), shared by the training loss curves (trainer/loss_plot)
// and the eval metric plots (eval/report): a title, axis labels, ticks with readable numbers, an optional
// log-scale y axis, one line per series and a legend.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sinsr {

struct ChartColour {
  uint8_t r = 0, g = 0, b = 0;
};

struct ChartSeries {
  std::string label;  // legend text; a chart whose labels are all empty has no legend
  ChartColour colour;
  std::vector<std::pair<double, double>> points;  // (x, y), joined in this order
  bool markers = false;                           // a dot on every point: for sparse series (one point per checkpoint)
};

struct LineChart {
  // Text is drawn with OpenCV's Hershey fonts: ASCII only.
  std::string title, x_label, y_label;
  bool log_y = false;             // y axis in decades; points with y <= 0 are left out
  int width = 900, height = 500;  // pixels
  std::vector<ChartSeries> series;
};

// Written atomically. Points with a non-finite coordinate are left out; when no point is left, nothing is
// written and the result is false.
bool write_line_chart_png(const std::string& path, const LineChart& chart);

}  // namespace sinsr
