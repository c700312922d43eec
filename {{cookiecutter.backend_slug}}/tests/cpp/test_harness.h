{{ cookiecutter.__cpp_license_header }}

// A minimal test harness (no network, so no googletest): TEST(name) defines a
// case, CHECK* record failures without stopping the case, and
// run_all_tests() prints one line per failure and a summary line
// "N passed, M failed" that CI log readers recognise.
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace test_harness {

struct TestCase {
  const char* name;
  std::function<void()> body;
};

inline std::vector<TestCase>& registry() {
  static std::vector<TestCase> cases;
  return cases;
}

inline int& failures_in_current_test() {
  static int failures = 0;
  return failures;
}

struct Registrar {
  Registrar(const char* name, std::function<void()> body) {
    registry().push_back({name, std::move(body)});
  }
};

inline std::string to_text(const std::string& value) {
  return "\"" + value + "\"";
}
inline std::string to_text(const char* value) {
  return to_text(std::string(value));
}
template <typename T>
std::string to_text(const T& value) {
  return std::to_string(value);
}

inline void
report_failure(const char* file, int line, const std::string& what) {
  ++failures_in_current_test();
  std::printf("  %s:%d: %s\n", file, line, what.c_str());
}

inline int run_all_tests() {
  int passed = 0;
  int failed = 0;
  for (const TestCase& test : registry()) {
    failures_in_current_test() = 0;
    std::printf("[ RUN  ] %s\n", test.name);
    // Flushed, so the log names the test even if a sanitizer ends the process.
    std::fflush(stdout);
    test.body();
    if (failures_in_current_test() == 0) {
      ++passed;
      std::printf("[  OK  ] %s\n", test.name);
    } else {
      ++failed;
      std::printf("[ FAIL ] %s\n", test.name);
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}

} // namespace test_harness

#define TEST(name)                                                    \
  static void name();                                                 \
  static const test_harness::Registrar name##_registrar(#name, name); \
  static void name()

#define CHECK(condition)                                \
  do {                                                  \
    if (!(condition)) {                                 \
      test_harness::report_failure(                     \
          __FILE__, __LINE__, "CHECK(" #condition ")"); \
    }                                                   \
  } while (0)

#define CHECK_EQ(actual, expected)                                   \
  do {                                                               \
    const auto check_actual_ = (actual);                             \
    const auto check_expected_ = (expected);                         \
    if (!(check_actual_ == check_expected_)) {                       \
      test_harness::report_failure(                                  \
          __FILE__,                                                  \
          __LINE__,                                                  \
          std::string(#actual " == " #expected " (got ") +           \
              test_harness::to_text(check_actual_) + ", expected " + \
              test_harness::to_text(check_expected_) + ")");         \
    }                                                                \
  } while (0)

#define CHECK_NEAR(actual, expected, tolerance)                         \
  do {                                                                  \
    const double check_actual_ = (actual);                              \
    const double check_expected_ = (expected);                          \
    if (!(std::fabs(check_actual_ - check_expected_) <= (tolerance))) { \
      test_harness::report_failure(                                     \
          __FILE__,                                                     \
          __LINE__,                                                     \
          std::string(#actual " ~= " #expected " (got ") +              \
              std::to_string(check_actual_) + ", expected " +           \
              std::to_string(check_expected_) + ")");                   \
    }                                                                   \
  } while (0)

// The string contains the fragment (error messages must say what is wrong).
#define CHECK_CONTAINS(text, fragment)                                         \
  do {                                                                         \
    const std::string check_text_ = (text);                                    \
    if (check_text_.find(fragment) == std::string::npos) {                     \
      test_harness::report_failure(                                            \
          __FILE__,                                                            \
          __LINE__,                                                            \
          std::string("expected \"") + (fragment) + "\" in \"" + check_text_ + \
              "\"");                                                           \
    }                                                                          \
  } while (0)
