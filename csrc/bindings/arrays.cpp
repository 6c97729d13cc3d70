#include "arrays.h"

#include <limits>
#include <string>

namespace timbre_rt::bindings {

AudioShape audio_shape(const py::array& array, Layout layout, const char* name) {
  const bool planar = layout == Layout::kPlanar;
  if (array.ndim() != 1 && array.ndim() != 2)
    throw py::value_error(std::string(name) + " must be [n] or " + (planar ? "[channels, n]" : "[n, channels] (frames x channels)") +
                          ", got " + std::to_string(array.ndim()) + " dimensions");
  const int frames_axis = array.ndim() == 2 && planar ? 1 : 0;
  const py::ssize_t frames = array.shape(frames_axis);
  if (frames > std::numeric_limits<int>::max())
    throw py::value_error(std::string(name) + " of " + std::to_string(frames) + " samples is too long for one call");
  const int channels = array.ndim() == 1 ? 1 : static_cast<int>(array.shape(1 - frames_axis));
  return {channels, static_cast<int>(frames)};
}

py::array_t<float> planar_output(const std::optional<py::array>& out, int channels, int frames) {
  if (!out) return py::array_t<float>({static_cast<py::ssize_t>(channels), static_cast<py::ssize_t>(frames)});
  if (!py::isinstance<py::array_t<float>>(*out) || out->ndim() != 2 || out->shape(0) != channels || out->shape(1) != frames ||
      !(out->flags() & py::array::c_style) || !out->writeable())
    throw py::value_error("out must be a writable C-contiguous float32 array of shape [" + std::to_string(channels) + ", " +
                          std::to_string(frames) + "]");
  return py::reinterpret_borrow<py::array_t<float>>(*out);
}

}  // namespace timbre_rt::bindings
