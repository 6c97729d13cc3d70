// [decoder~ <model.ts> <buffer>]: one signal inlet per latent channel, audio out,
// info/errors on the right outlet.
#include "engine_object.h"

static t_class* decoder_class;

static void* decoder_new(t_symbol*, int argc, t_atom* argv) {
  return engine_object_new(decoder_class, "decode", argc, argv);
}

extern "C" void decoder_tilde_setup(void) {
  decoder_class = engine_object_class("decoder~", reinterpret_cast<t_newmethod>(decoder_new));
}
