// NumPy audio arrays as the core reads them: a channel count, a frame count, plane pointers.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <optional>
#include <vector>

namespace timbre_rt::bindings {

namespace py = pybind11;

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

// [channels, n] planes (Engine) or [n, channels] frames, the sound card layout (Pipeline);
// [n] is one channel in both.
enum class Layout { kPlanar, kInterleaved };

struct AudioShape {
  int channels = 1;
  int frames = 0;
};

// Reads only the shape (no Python calls: safe without the GIL). Throws ValueError naming the
// array (`name`) for another number of dimensions or more frames than one core call takes.
AudioShape audio_shape(const py::array& array, Layout layout, const char* name);

// Pointers to the `channels` planes of `frames` samples each of planar data.
template <typename T>
std::vector<T*> planes(T* data, int channels, int frames) {
  std::vector<T*> result(channels);
  for (int c = 0; c < channels; ++c) result[c] = data + static_cast<py::ssize_t>(c) * frames;
  return result;
}

// `out` when given (it must be a writable C-contiguous float32 [channels, frames] array, filled
// in place: a converted copy would leave the caller's array untouched), else a new array.
py::array_t<float> planar_output(const std::optional<py::array>& out, int channels, int frames);

}  // namespace timbre_rt::bindings
