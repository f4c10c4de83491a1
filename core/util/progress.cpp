#include "core/util/progress.h"

#include <unistd.h>

#include <cstdio>

namespace sinsr {

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return buf;
}

Progress::Progress(int64_t total, std::string unit, double interval_seconds)
    : total_(total), unit_(std::move(unit)), interval_(interval_seconds), tty_(::isatty(STDERR_FILENO) == 1) {
  start_ = last_print_ = std::chrono::steady_clock::now();
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::advance(int64_t n) {
  done_ += n;
  const auto now = std::chrono::steady_clock::now();
  if (tty_ || done_ == total_ || std::chrono::duration<double>(now - last_print_).count() >= interval_) {
    last_print_ = now;
    print();
  }
}

void Progress::print() {
  const double secs = elapsed_seconds();
  const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0.0;
  const std::string eta = rate > 0 ? format_duration(static_cast<double>(total_ - done_) / rate) : "?";
  if (tty_) {
    constexpr int kWidth = 30;
    const int filled = total_ > 0 ? static_cast<int>(kWidth * done_ / total_) : kWidth;
    std::fprintf(stderr, "\r[%s%s] %lld/%lld %s  %.2f %s/s  ETA %s ",
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(kWidth - filled), ' ').c_str(), static_cast<long long>(done_),
                 static_cast<long long>(total_), unit_.c_str(), rate, unit_.c_str(), eta.c_str());
  } else {
    std::fprintf(stderr, "progress: %lld/%lld %s, %.2f %s/s, elapsed %s, ETA %s\n", static_cast<long long>(done_),
                 static_cast<long long>(total_), unit_.c_str(), rate, unit_.c_str(), format_duration(secs).c_str(),
                 eta.c_str());
  }
  std::fflush(stderr);
}

void Progress::message(const std::string& line) {
  // On a terminal the bar owns the current line: erase it, print the message, redraw the bar below.
  if (tty_) std::fputs("\r\033[K", stderr);
  std::fprintf(stderr, "%s\n", line.c_str());
  if (tty_ && done_ > 0) print();
  std::fflush(stderr);
}

void Progress::finish() {
  if (tty_) std::fputc('\n', stderr);
}

}  // namespace sinsr
