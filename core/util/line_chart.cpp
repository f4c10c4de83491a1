#include "core/util/line_chart.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/util/atomic_file.h"

namespace sinsr {
namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kTickScale = 0.45, kLabelScale = 0.5, kTitleScale = 0.6;
constexpr int kPad = 10;  // pixels between texts and the plot frame
const cv::Scalar kInk = cv::Scalar::all(40), kFrameInk = cv::Scalar::all(90), kGridInk = cv::Scalar::all(225);

struct Tick {
  double at;  // in axis units: the value, or log10 of it on a log axis
  std::string label;
};

struct Axis {
  double lo, hi;  // axis units
  std::vector<Tick> ticks;
};

std::string printf_string(const char* format, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// 1, 2 or 5 times a power of ten: about `count` steps over `span`.
double nice_step(double span, int count) {
  const double raw = span / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  return magnitude * (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10);
}

// As many decimals as the tick step needs ("0.25" steps never occur: steps are 1, 2 or 5 x 10^k).
std::string linear_label(double v, double step) {
  if (std::fabs(v) < step * 1e-6) v = 0;  // no "-0" or "1e-17" from accumulated rounding
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  if (std::fabs(v) >= 1e7 || decimals > 6) return printf_string("%.3g", v);
  char format[8];
  std::snprintf(format, sizeof format, "%%.%df", decimals);
  return printf_string(format, v);
}

// Ticks at multiples of a nice step. `loose` widens the range to the outer ticks (the y axis); otherwise the
// range stays the data's (the x axis: steps start where training started).
Axis linear_axis(double lo, double hi, bool loose) {
  if (hi - lo <= std::fabs(hi) * 1e-12) {  // a single value: centre it
    const double pad = lo != 0 ? std::fabs(lo) * 0.05 : 1.0;
    lo -= pad, hi += pad;
  }
  const double step = nice_step(hi - lo, 5);
  if (loose) lo = std::floor(lo / step) * step, hi = std::ceil(hi / step) * step;
  Axis axis{lo, hi, {}};
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1)
    axis.ticks.push_back({k * step, linear_label(k * step, step)});
  return axis;
}

std::string decade_label(int exponent) {
  if (exponent >= -4 && exponent <= 4) return printf_string("%g", std::pow(10.0, exponent));
  return "1e" + std::to_string(exponent);
}

// Whole decades around the data (at least one); 2x and 5x ticks too when there are few decades, and only
// every n-th decade labelled when there are many.
Axis log_axis(double lo, double hi) {
  Axis axis{std::floor(std::log10(lo)), 0, {}};
  axis.hi = std::max(std::ceil(std::log10(hi)), axis.lo + 1);
  const int decades = static_cast<int>(axis.hi - axis.lo);
  const int every = (decades + 7) / 8;
  for (int d = static_cast<int>(axis.lo); d <= static_cast<int>(axis.hi); ++d) {
    if ((d - static_cast<int>(axis.lo)) % every == 0) axis.ticks.push_back({static_cast<double>(d), decade_label(d)});
    if (decades > 2 || d == static_cast<int>(axis.hi)) continue;
    for (double m : {2.0, 5.0}) {
      const double v = m * std::pow(10.0, d);
      axis.ticks.push_back({std::log10(v), printf_string(d >= -4 && d <= 4 ? "%g" : "%.0e", v)});
    }
  }
  return axis;
}

cv::Scalar bgr(const ChartColour& c) { return cv::Scalar(c.b, c.g, c.r); }

int text_width(const std::string& text, double scale) {
  int baseline = 0;
  return cv::getTextSize(text, kFont, scale, 1, &baseline).width;
}

void put_text(cv::Mat& img, const std::string& text, cv::Point at, double scale, int thickness = 1) {
  cv::putText(img, text, at, kFont, scale, kInk, thickness, cv::LINE_AA);
}

// OpenCV draws horizontal text only: draw it on a strip, then turn the strip a quarter counter-clockwise.
void put_vertical_text(cv::Mat& img, const std::string& text, int left, int centre_y) {
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, kFont, kLabelScale, 1, &baseline);
  cv::Mat strip(size.height + baseline + 2, size.width + 2, CV_8UC3, cv::Scalar::all(255));
  put_text(strip, text, {1, size.height + 1}, kLabelScale);
  cv::rotate(strip, strip, cv::ROTATE_90_COUNTERCLOCKWISE);
  const cv::Rect where(left, std::max(0, centre_y - strip.rows / 2), strip.cols, strip.rows);
  if ((where & cv::Rect(0, 0, img.cols, img.rows)) == where) strip.copyTo(img(where));
}

std::vector<std::vector<std::pair<double, double>>> drawable_points(const LineChart& chart) {
  std::vector<std::vector<std::pair<double, double>>> out;
  for (const auto& s : chart.series) {
    auto& kept = out.emplace_back();
    for (const auto& [x, y] : s.points)
      if (std::isfinite(x) && std::isfinite(y) && (!chart.log_y || y > 0)) kept.emplace_back(x, y);
  }
  return out;
}

bool has_legend(const LineChart& chart) {
  return std::any_of(chart.series.begin(), chart.series.end(), [](const auto& s) { return !s.label.empty(); });
}

void draw_legend(cv::Mat& img, const LineChart& chart, int left, int top) {
  int y = top + 12;
  for (const auto& s : chart.series) {
    if (s.label.empty()) continue;
    cv::line(img, {left, y - 5}, {left + 30, y - 5}, bgr(s.colour), 2, cv::LINE_AA);
    if (s.markers) cv::circle(img, {left + 15, y - 5}, 4, bgr(s.colour), cv::FILLED, cv::LINE_AA);
    put_text(img, s.label, {left + 40, y}, kLabelScale);
    y += 24;
  }
}

}  // namespace

bool write_line_chart_png(const std::string& path, const LineChart& chart) {
  const auto points = drawable_points(chart);
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const auto& series : points)
    for (const auto& [x, y] : series)
      x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x), y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
  if (!std::isfinite(x_lo)) return false;
  const Axis x_axis = linear_axis(x_lo, x_hi, false);
  const Axis y_axis = chart.log_y ? log_axis(y_lo, y_hi) : linear_axis(y_lo, y_hi, true);

  // The frame of the plot area: room on the left for the y ticks and label, on the right for the legend.
  int y_tick_width = 0, legend_width = 0;
  for (const auto& t : y_axis.ticks) y_tick_width = std::max(y_tick_width, text_width(t.label, kTickScale));
  for (const auto& s : chart.series) legend_width = std::max(legend_width, text_width(s.label, kLabelScale));
  const int left = kPad + (chart.y_label.empty() ? 0 : 24) + y_tick_width + kPad;
  const int right = chart.width - (has_legend(chart) ? legend_width + 40 + 3 * kPad : 2 * kPad);
  const int top = chart.title.empty() ? 2 * kPad : 4 * kPad;
  const int bottom = chart.height - (chart.x_label.empty() ? 3 * kPad : 5 * kPad);
  auto px = [&](double x) { return left + cvRound((x - x_axis.lo) / (x_axis.hi - x_axis.lo) * (right - left)); };
  auto py_axis = [&](double at) {
    return bottom - cvRound((at - y_axis.lo) / (y_axis.hi - y_axis.lo) * (bottom - top));
  };
  auto py = [&](double y) { return py_axis(chart.log_y ? std::log10(y) : y); };

  cv::Mat img(chart.height, chart.width, CV_8UC3, cv::Scalar::all(255));
  for (const auto& t : y_axis.ticks) {
    const int y = py_axis(t.at);
    cv::line(img, {left, y}, {right, y}, kGridInk);
    put_text(img, t.label, {left - kPad - text_width(t.label, kTickScale), y + 5}, kTickScale);
  }
  for (const auto& t : x_axis.ticks) {
    const int x = px(t.at);
    cv::line(img, {x, top}, {x, bottom}, kGridInk);
    put_text(img, t.label, {x - text_width(t.label, kTickScale) / 2, bottom + 2 * kPad}, kTickScale);
  }
  cv::rectangle(img, {left, top}, {right, bottom}, kFrameInk);
  if (!chart.title.empty())
    put_text(img, chart.title, {(chart.width - text_width(chart.title, kTitleScale)) / 2, 26}, kTitleScale);
  if (!chart.x_label.empty())
    put_text(img, chart.x_label, {(left + right - text_width(chart.x_label, kLabelScale)) / 2, chart.height - kPad},
             kLabelScale);
  if (!chart.y_label.empty()) put_vertical_text(img, chart.y_label, kPad, (top + bottom) / 2);

  for (size_t i = 0; i < chart.series.size(); ++i) {
    std::vector<cv::Point> line;
    for (const auto& [x, y] : points[i]) line.emplace_back(px(x), py(y));
    const cv::Scalar colour = bgr(chart.series[i].colour);
    cv::polylines(img, line, false, colour, 2, cv::LINE_AA);
    if (chart.series[i].markers)
      for (const auto& p : line) cv::circle(img, p, 4, colour, cv::FILLED, cv::LINE_AA);
  }
  if (has_legend(chart)) draw_legend(img, chart, right + 2 * kPad, top);

  std::vector<uchar> png;
  cv::imencode(".png", img, png);
  write_file_atomically(path, png.data(), png.size());
  return true;
}

}  // namespace sinsr
