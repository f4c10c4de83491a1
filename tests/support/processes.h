// Test helpers for real processes: fresh scratch folders, and commands run in the background in their
// own process group, so a signal can reach all of a job (mpirun and its ranks included).
#pragma once
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace sinsr::test {

// An empty folder under the temp directory, unique to this test process.
std::filesystem::path fresh_dir(const std::string& name);

class BackgroundCommand {
 public:
  explicit BackgroundCommand(const std::string& shell_command);  // output discarded
  ~BackgroundCommand();                                          // SIGKILLs whatever of the group still runs
  BackgroundCommand(const BackgroundCommand&) = delete;
  BackgroundCommand& operator=(const BackgroundCommand&) = delete;

  pid_t pid() const { return pid_; }
  // Polls `moment` until it holds (true), the command exits or `timeout` passes (false).
  bool wait_for(const std::function<bool()>& moment, std::chrono::seconds timeout = std::chrono::seconds(120));
  void signal(int sig, bool whole_group);
  // Waits for the exit; the waitpid status.
  int wait();
  // Non-blocking: true (and the status) once it has exited.
  bool exited(int& status);

 private:
  pid_t pid_;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace sinsr::test
