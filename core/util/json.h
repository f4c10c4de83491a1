// JSON values: fixture attributes, shapes_full.json, manifests and metrics logs. nlohmann-json reads and writes
// the text (core/util/json.cpp).
// Objects keep their key order (we print them back and humans read them).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sinsr {

class Json {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  Json() = default;
  static Json parse(const std::string& text);  // throws std::runtime_error with the offset

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }
  bool is_bool() const { return type_ == Type::Bool; }

  bool as_bool() const;
  double as_number() const;
  int64_t as_int() const;  // numbers that are integral; bools as 0/1
  const std::string& as_string() const;
  const std::vector<Json>& as_array() const;
  std::vector<int64_t> as_int_list() const;  // an array of integers, or a single integer
  const std::vector<std::pair<std::string, Json>>& as_object() const;

  bool has(const std::string& key) const;
  const Json& operator[](const std::string& key) const;  // throws if missing
  const Json& operator[](size_t index) const;
  size_t size() const;

  static Json number(double v);
  static Json string(std::string v);
  static Json boolean(bool v);
  static Json array(std::vector<Json> items = {});
  static Json object(std::vector<std::pair<std::string, Json>> members = {});
  void push_back(Json v);
  void set(const std::string& key, Json v);

  std::string dump(int indent = -1) const;  // indent < 0: compact

 private:
  Type type_ = Type::Null;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Json> array_;
  std::vector<std::pair<std::string, Json>> object_;
};

}  // namespace sinsr
