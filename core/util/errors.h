// Error types that map to the process exit codes of docs/architecture.md §3. Commands throw them; the launcher
// prints what() as one line and exits with the matching code.
#pragma once
#include <stdexcept>
#include <string>

namespace sinsr {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,    // runtime failure (I/O error, bad checkpoint, ...)
  kExitUsage = 2,      // bad command line or config
  kExitIntegrity = 3,  // data integrity problem (bad shard, checksum)
  kExitTempFail = 75,  // EX_TEMPFAIL: checkpointed on a signal, requeue me
};

// Bad command line, config key or value: exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Data that fails its integrity checks: exit code 3.
class IntegrityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sinsr
