#include "trainer/loss_plot.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/util/atomic_file.h"

namespace sinsr::train {

void write_loss_plot(const std::string& path, const std::vector<LossPoint>& points) {
  if (points.size() < 2) return;
  constexpr int W = 900, H = 500, L = 70, R = 170, T = 30, B = 50;
  cv::Mat img(H, W, CV_8UC3, cv::Scalar::all(255));
  struct Series {
    const char* name;
    double LossPoint::*value;
    cv::Scalar colour;
  };
  const Series series[] = {{"total", &LossPoint::loss, {0, 0, 0}},
                           {"distill", &LossPoint::distill, {200, 80, 0}},
                           {"inverse", &LossPoint::inverse, {0, 140, 0}},
                           {"gt", &LossPoint::gt, {0, 0, 210}}};
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& p : points)
    for (const auto& s : series)
      if (p.*s.value > 0) lo = std::min(lo, std::log10(p.*s.value)), hi = std::max(hi, std::log10(p.*s.value));
  if (!std::isfinite(lo)) return;
  lo = std::floor(lo), hi = std::max(std::ceil(hi), lo + 1);
  const double s0 = static_cast<double>(points.front().step), s1 = std::max<double>(points.back().step, s0 + 1);
  auto xy = [&](double step, double v) {
    return cv::Point(L + static_cast<int>((step - s0) / (s1 - s0) * (W - L - R)),
                     H - B - static_cast<int>((std::log10(v) - lo) / (hi - lo) * (H - T - B)));
  };
  cv::rectangle(img, {L, T}, {W - R, H - B}, cv::Scalar::all(0));
  for (double d = lo; d <= hi; d += 1) {  // decades
    const int y = xy(s0, std::pow(10.0, d)).y;
    cv::line(img, {L, y}, {W - R, y}, cv::Scalar::all(220));
    char label[16];
    std::snprintf(label, sizeof label, "1e%+d", static_cast<int>(d));
    cv::putText(img, label, {8, y + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar::all(0));
  }
  char range[64];
  std::snprintf(range, sizeof range, "step %lld .. %lld", static_cast<long long>(s0), static_cast<long long>(s1));
  cv::putText(img, range, {L, H - 18}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar::all(0));
  int legend_y = T + 20;
  for (const auto& s : series) {
    std::vector<cv::Point> line;
    for (const auto& p : points)
      if (p.*s.value > 0) line.push_back(xy(static_cast<double>(p.step), p.*s.value));
    cv::polylines(img, line, false, s.colour, 2, cv::LINE_AA);
    cv::line(img, {W - R + 15, legend_y - 5}, {W - R + 45, legend_y - 5}, s.colour, 2);
    cv::putText(img, s.name, {W - R + 55, legend_y}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar::all(0));
    legend_y += 24;
  }
  std::vector<uchar> png;
  cv::imencode(".png", img, png);
  write_file_atomically(path, png.data(), png.size());
}

}  // namespace sinsr::train
