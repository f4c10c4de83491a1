#include "trainer/loss_plot.h"

#include "core/util/line_chart.h"

namespace sinsr::train {

void write_loss_plot(const std::string& path, const std::vector<LossPoint>& points) {
  if (points.size() < 2) return;
  struct Term {
    const char* name;
    double LossPoint::*value;
    ChartColour colour;
  };
  const Term terms[] = {{"total", &LossPoint::loss, {0, 0, 0}},
                        {"distill", &LossPoint::distill, {0, 80, 200}},
                        {"inverse", &LossPoint::inverse, {0, 140, 0}},
                        {"gt", &LossPoint::gt, {210, 0, 0}}};
  LineChart chart;
  chart.title = "Training losses";
  chart.x_label = "step";
  chart.y_label = "loss";
  chart.log_y = true;  // the terms differ by decades, and each falls by decades
  for (const auto& term : terms) {
    ChartSeries& series = chart.series.emplace_back();
    series.label = term.name;
    series.colour = term.colour;
    for (const auto& p : points) series.points.emplace_back(static_cast<double>(p.step), p.*term.value);
  }
  write_line_chart_png(path, chart);
}

}  // namespace sinsr::train
