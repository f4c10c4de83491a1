// One line for a caught exception. LibTorch's c10::Error carries a C++ stack trace in what(); users get
// the message without it, everywhere an error is printed or recorded.
#pragma once
#include <exception>
#include <string>

namespace sinsr {

std::string error_text(const std::exception& e);

}  // namespace sinsr
