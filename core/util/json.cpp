#include "core/util/json.h"

#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace sinsr {
namespace {

// Debian's nlohmann-json does the text work (parsing, escaping, number formatting); Json stays the project's small
// value type, so the 30-odd files that read manifests and fixtures do not each compile the 25 000-line header.
using Text = nlohmann::ordered_json;

Json from_text(const Text& t) {
  switch (t.type()) {
    case Text::value_t::null: return Json();
    case Text::value_t::boolean: return Json::boolean(t.get<bool>());
    case Text::value_t::number_integer:
    case Text::value_t::number_unsigned:
    case Text::value_t::number_float: return Json::number(t.get<double>());
    case Text::value_t::string: return Json::string(t.get<std::string>());
    case Text::value_t::array: {
      Json a = Json::array();
      for (const Text& item : t) a.push_back(from_text(item));
      return a;
    }
    case Text::value_t::object: {
      Json o = Json::object();
      for (const auto& [key, value] : t.items()) o.set(key, from_text(value));
      return o;
    }
    default: throw std::runtime_error("JSON value of an unsupported kind (binary)");
  }
}

Text to_text(const Json& j) {
  switch (j.type()) {
    case Json::Type::Null: return nullptr;
    case Json::Type::Bool: return j.as_bool();
    case Json::Type::Number: {
      // Integral values print as integers ("5", not "5.0"): counts, steps and shapes are read by people and by
      // Python. Non-finite values print as null (nlohmann's rule): "NaN" would make the whole file unreadable.
      double v = j.as_number();
      if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 9.0e15) return static_cast<int64_t>(v);
      return v;
    }
    case Json::Type::String: return j.as_string();
    case Json::Type::Array: {
      Text a = Text::array();
      for (const Json& item : j.as_array()) a.push_back(to_text(item));
      return a;
    }
    case Json::Type::Object: {
      Text o = Text::object();
      for (const auto& [key, value] : j.as_object()) o[key] = to_text(value);
      return o;
    }
  }
  return nullptr;
}

}  // namespace

Json Json::parse(const std::string& text) {
  try {
    return from_text(Text::parse(text));
  } catch (const Text::exception& e) {
    throw std::runtime_error(std::string("JSON ") + e.what());  // "parse error at line 1, column 7: ..."
  }
}

bool Json::as_bool() const {
  if (type_ != Type::Bool) throw std::runtime_error("JSON value is not a boolean");
  return bool_;
}
double Json::as_number() const {
  if (type_ != Type::Number) throw std::runtime_error("JSON value is not a number");
  return number_;
}
int64_t Json::as_int() const {
  if (type_ == Type::Bool) return bool_ ? 1 : 0;
  double v = as_number();
  if (std::floor(v) != v) throw std::runtime_error("JSON number " + std::to_string(v) + " is not an integer");
  return static_cast<int64_t>(v);
}
const std::string& Json::as_string() const {
  if (type_ != Type::String) throw std::runtime_error("JSON value is not a string");
  return string_;
}
const std::vector<Json>& Json::as_array() const {
  if (type_ != Type::Array) throw std::runtime_error("JSON value is not an array");
  return array_;
}
std::vector<int64_t> Json::as_int_list() const {
  if (type_ == Type::Number) return {as_int()};
  std::vector<int64_t> out;
  for (const Json& v : as_array()) out.push_back(v.as_int());
  return out;
}
const std::vector<std::pair<std::string, Json>>& Json::as_object() const {
  if (type_ != Type::Object) throw std::runtime_error("JSON value is not an object");
  return object_;
}
bool Json::has(const std::string& key) const {
  if (type_ != Type::Object) return false;
  for (const auto& kv : object_)
    if (kv.first == key) return true;
  return false;
}
const Json& Json::operator[](const std::string& key) const {
  for (const auto& kv : as_object())
    if (kv.first == key) return kv.second;
  throw std::runtime_error("JSON object has no key '" + key + "'");
}
const Json& Json::operator[](size_t index) const {
  const auto& a = as_array();
  if (index >= a.size()) throw std::runtime_error("JSON array index out of range");
  return a[index];
}
size_t Json::size() const {
  if (type_ == Type::Array) return array_.size();
  if (type_ == Type::Object) return object_.size();
  return 0;
}

Json Json::number(double v) {
  Json j;
  j.type_ = Type::Number;
  j.number_ = v;
  return j;
}
Json Json::string(std::string v) {
  Json j;
  j.type_ = Type::String;
  j.string_ = std::move(v);
  return j;
}
Json Json::boolean(bool v) {
  Json j;
  j.type_ = Type::Bool;
  j.bool_ = v;
  return j;
}
Json Json::array(std::vector<Json> items) {
  Json j;
  j.type_ = Type::Array;
  j.array_ = std::move(items);
  return j;
}
Json Json::object(std::vector<std::pair<std::string, Json>> members) {
  Json j;
  j.type_ = Type::Object;
  j.object_ = std::move(members);
  return j;
}
void Json::push_back(Json v) {
  if (type_ != Type::Array) throw std::runtime_error("push_back on a non-array JSON value");
  array_.push_back(std::move(v));
}
void Json::set(const std::string& key, Json v) {
  if (type_ != Type::Object) throw std::runtime_error("set on a non-object JSON value");
  for (auto& kv : object_)
    if (kv.first == key) {
      kv.second = std::move(v);
      return;
    }
  object_.emplace_back(key, std::move(v));
}

std::string Json::dump(int indent) const {
  // Invalid UTF-8 (a file name from an odd file system) is replaced rather than stopping a run at its last write.
  return to_text(*this).dump(indent, ' ', false, Text::error_handler_t::replace);
}

}  // namespace sinsr
