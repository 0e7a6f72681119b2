// Empty: the shims are static inline functions in include/SystemShims.h.
