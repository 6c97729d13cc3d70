// Counting semaphore over POSIX sem_t: post() is a lock-free wake-up that the audio
// thread may call (no mutex, no allocation); wait() is for the worker and sync mode.
// Not named semaphore.h: csrc/ is an include directory, so that name would shadow POSIX
// <semaphore.h> (which this header itself includes).
#pragma once

#include <semaphore.h>

#include <cerrno>
#include <ctime>
#include <system_error>

namespace timbre_rt {

class PosixSemaphore {
 public:
  PosixSemaphore() {
    if (sem_init(&sem_, 0, 0) != 0) throw std::system_error(errno, std::generic_category(), "sem_init");
  }
  ~PosixSemaphore() { sem_destroy(&sem_); }

  PosixSemaphore(const PosixSemaphore&) = delete;
  PosixSemaphore& operator=(const PosixSemaphore&) = delete;

  void post() noexcept { sem_post(&sem_); }

  void wait() noexcept {
    while (sem_wait(&sem_) != 0 && errno == EINTR) {
    }
  }

  // Returns false on timeout.
  bool wait_for_ms(long milliseconds) noexcept {
    timespec deadline{};
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += milliseconds / 1000;
    deadline.tv_nsec += (milliseconds % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
      deadline.tv_sec += 1;
      deadline.tv_nsec -= 1000000000L;
    }
    while (sem_timedwait(&sem_, &deadline) != 0) {
      if (errno != EINTR) return false;
    }
    return true;
  }

 private:
  sem_t sem_;
};

}  // namespace timbre_rt
