{{ cookiecutter.__cpp_license_header }}

// Leaks on purpose: the leak_detection_is_active test passes only when
// LeakSanitizer reports this leak, so a silent LeakSanitizer (unsupported
// platform, ASAN_OPTIONS=detect_leaks=0) cannot make the leak checks of the
// other tests pass vacuously.

#include <cstdio>
#include <cstdlib>

void* volatile leaked = nullptr;

int main() {
  leaked = std::malloc(64);
  leaked = nullptr; // the only pointer is gone
  std::printf("leaked 64 bytes\n");
  return 0;
}
