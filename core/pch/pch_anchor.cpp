// Compiles the shared precompiled header (core/pch/torch_pch.h) once for every target that reuses it.
