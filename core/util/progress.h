// Progress for long work: a redrawn bar with rate and ETA when stderr is a terminal, otherwise a plain
// line at most every `interval` seconds (batch jobs, Slurm logs).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace sinsr {

class Progress {
 public:
  Progress(int64_t total, std::string unit, double interval_seconds = 10.0);
  void advance(int64_t n = 1);            // redraws (TTY) or prints when the interval has passed
  void finish();                          // ends the bar's line
  void message(const std::string& line);  // prints a line without breaking the bar (warnings, skips)
  double elapsed_seconds() const;
  bool is_tty() const { return tty_; }

 private:
  int64_t total_, done_ = 0;
  std::string unit_;
  double interval_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_print_;
  void print();
};

// "1:02:03" / "2:03"
std::string format_duration(double seconds);

}  // namespace sinsr
