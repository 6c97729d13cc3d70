// [encoder~ <model.ts> <buffer>]: audio in, one signal outlet per latent channel (each
// latent frame held at audio rate), info/errors on the right outlet.
#include "engine_object.h"

static t_class* encoder_class;

static void* encoder_new(t_symbol*, int argc, t_atom* argv) {
  return engine_object_new(encoder_class, "encode", argc, argv);
}

extern "C" void encoder_tilde_setup(void) {
  encoder_class = engine_object_class("encoder~", reinterpret_cast<t_newmethod>(encoder_new));
}
