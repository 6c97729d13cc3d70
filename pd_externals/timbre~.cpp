// [timbre~ <model.ts> <method> <buffer> <headroom>]: any method a model file exports
// (forward, encode, decode, synthesize, ...), as nn~'s [nn~ model method] does; one signal
// inlet per input channel and one outlet per output channel, as the method's `_params`
// declare, then info/errors on the right outlet. Without a method: forward.
#include <string>
#include <vector>

#include "engine_object.h"

static t_class* timbre_class;

static void* timbre_new(t_symbol*, int argc, t_atom* argv) {
  std::string method = "forward";
  std::vector<t_atom> rest(argv, argv + argc);
  if (argc >= 2 && argv[1].a_type == A_SYMBOL) {
    method = atom_getsymbol(argv + 1)->s_name;
    rest.erase(rest.begin() + 1);
  }
  return engine_object_new(timbre_class, method.c_str(), static_cast<int>(rest.size()), rest.data());
}

extern "C" void timbre_tilde_setup(void) {
  timbre_class = engine_object_class("timbre~", reinterpret_cast<t_newmethod>(timbre_new));
}
