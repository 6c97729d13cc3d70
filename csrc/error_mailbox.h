// The newest error text from the audio thread, for a control thread to read: a triple
// buffer of fixed-size texts. publish() (one writer: the audio thread in inline mode) copies
// into its own buffer and swaps it in with one atomic exchange; take() (control threads,
// serialised by their caller) swaps the newest one out. Neither side waits, locks or
// allocates, and no buffer is ever read while it is written.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <string>

namespace timbre_rt {

class ErrorMailbox {
 public:
  static constexpr std::size_t kTextBytes = 1024;  // longer texts are cut

  ErrorMailbox() {
    for (auto& text : texts_) text[0] = '\0';
  }
  ErrorMailbox(const ErrorMailbox&) = delete;
  ErrorMailbox& operator=(const ErrorMailbox&) = delete;

  // Writer side (one thread). Realtime safe.
  void publish(const char* text, std::size_t size) noexcept {
    auto& mine = texts_[back_];
    const std::size_t n = std::min(size, kTextBytes - 1);
    std::memcpy(mine.data(), text, n);
    mine[n] = '\0';
    back_ = middle_.exchange(back_ | kFresh, std::memory_order_acq_rel) & kIndex;
  }

  // Reader side (one thread at a time). True and `to` set when a text came since the last take.
  bool take(std::string& to) {
    if (!(middle_.load(std::memory_order_acquire) & kFresh)) return false;
    front_ = middle_.exchange(front_, std::memory_order_acq_rel) & kIndex;
    to.assign(texts_[front_].data());
    return true;
  }

 private:
  static constexpr int kIndex = 3;
  static constexpr int kFresh = 4;
  std::array<std::array<char, kTextBytes>, 3> texts_;
  int back_ = 0;                  // the writer's own
  std::atomic<int> middle_{1};    // the exchanged one; kFresh while unread
  int front_ = 2;                 // the reader's own
};

}  // namespace timbre_rt
