// Unit checks of core parts that need no model file: an inline model error's text stays
// inside the string reserved for it up front (the audio thread never allocates for it).
//
// usage: test_core_units
// Prints one line per check and exits 1 if any failed.
#include <cstdio>
#include <string>
#include <vector>

#include "stream.h"

namespace {

int g_failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++g_failures;
}

void error_text_stays_in_its_reserve() {
  std::string error;
  error.reserve(64);
  const char* const before = error.data();
  const std::size_t capacity = error.capacity();
  const std::string long_text(5 * capacity, 'x');
  timbre_rt::assign_within_capacity(error, (long_text + "tail").c_str());
  check(error.data() == before && error.capacity() == capacity && error.size() == capacity && error == long_text.substr(0, capacity),
        "a message longer than the reserve is truncated into it, not reallocated");
  timbre_rt::assign_within_capacity(error, "short");
  check(error == "short" && error.data() == before && error.capacity() == capacity, "a short message replaces it whole, in place");
}

}  // namespace

int main() {
  error_text_stays_in_its_reserve();
  std::printf(g_failures == 0 ? "core units: OK\n" : "core units: FAILED\n");
  return g_failures == 0 ? 0 : 1;
}
