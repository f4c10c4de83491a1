#include "tests/support/processes.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

namespace sinsr::test {

std::filesystem::path fresh_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

BackgroundCommand::BackgroundCommand(const std::string& shell_command) {
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", ("exec " + shell_command + " >/dev/null 2>&1").c_str(), nullptr);
    _exit(127);
  }
  setpgid(pid_, pid_);  // also here: no race with the first signal
}

BackgroundCommand::~BackgroundCommand() {
  kill(-pid_, SIGKILL);
  if (!reaped_) waitpid(pid_, &status_, 0);
}

bool BackgroundCommand::exited(int& status) {
  if (!reaped_ && waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  status = status_;
  return reaped_;
}

bool BackgroundCommand::wait_for(const std::function<bool()>& moment, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (moment()) return true;
    if (exited(status)) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void BackgroundCommand::signal(int sig, bool whole_group) { kill(whole_group ? -pid_ : pid_, sig); }

int BackgroundCommand::wait() {
  if (!reaped_) waitpid(pid_, &status_, 0);
  reaped_ = true;
  return status_;
}

}  // namespace sinsr::test
