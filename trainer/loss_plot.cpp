#include "trainer/loss_plot.h"

#include "core/util/line_chart.h"

namespace sinsr::train {

void write_loss_plot(const std::string& path, const std::vector<std::string>& terms,
                     const std::vector<LossPoint>& points) {
  if (points.size() < 2) return;
  const ChartColour palette[] = {{0, 0, 0}, {0, 80, 200}, {0, 140, 0}, {210, 0, 0}, {200, 120, 0}, {120, 0, 160}};
  LineChart chart;
  chart.title = "Training losses";
  chart.x_label = "step";
  chart.y_label = "loss";
  chart.log_y = true;  // the terms differ by decades, and each falls by decades
  for (size_t i = 0; i < terms.size(); ++i) {
    ChartSeries& series = chart.series.emplace_back();
    series.label = i == 0 && terms.size() > 1 ? "total" : terms[i];
    series.colour = palette[i % (sizeof(palette) / sizeof(palette[0]))];
    for (const auto& p : points) series.points.emplace_back(static_cast<double>(p.step), p.values[i]);
  }
  write_line_chart_png(path, chart);
}

}  // namespace sinsr::train
