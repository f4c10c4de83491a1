// Wall-clock intervals for rates and stage timings (steady clock: immune to clock changes).
#pragma once
#include <chrono>

namespace sinsr {

using Clock = std::chrono::steady_clock;
inline double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace sinsr
