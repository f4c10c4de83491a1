// A stand-in for the few pieces of Boost.Program_options that core/util/config.cpp uses (INI files only), so
// the GPU check kit (tools/gpu/CMakeLists.txt) can compile the real config.cpp on a machine without Boost.
// Semantics kept: "[section]" prefixes "section." to the keys below it, "key = value" lines (trimmed),
// '#' starts a comment, keys not in the description are returned with unregistered = true.
#pragma once
#include <istream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace boost::program_options {

struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct value_semantic {};
template <class T>
value_semantic* value() {
  static value_semantic v;
  return &v;
}

class options_description {
 public:
  struct adder {
    options_description* d;
    adder& operator()(const char* name, value_semantic*) {
      d->names.insert(name);
      return *this;
    }
  };
  adder add_options() { return adder{this}; }
  std::set<std::string> names;
};

struct option {
  std::string string_key;
  std::vector<std::string> value;
  bool unregistered = false;
};

struct parsed_options {
  explicit parsed_options(const options_description* d) : description(d) {}
  std::vector<option> options;
  const options_description* description;
};

inline parsed_options parse_config_file(std::istream& in, const options_description& desc, bool allow_unregistered = false) {
  auto trim = [](const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  parsed_options out(&desc);
  std::string line, prefix;
  while (std::getline(in, line)) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    if (line.front() == '[') {
      if (line.back() != ']') throw error("invalid line: " + line);
      prefix = trim(line.substr(1, line.size() - 2)) + ".";
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos) throw error("the options configuration file contains an invalid line '" + line + "'");
    option o;
    o.string_key = prefix + trim(line.substr(0, eq));
    o.value.push_back(trim(line.substr(eq + 1)));
    o.unregistered = !desc.names.count(o.string_key);
    if (o.unregistered && !allow_unregistered) throw error("unrecognised option '" + o.string_key + "'");
    out.options.push_back(o);
  }
  return out;
}

}  // namespace boost::program_options
