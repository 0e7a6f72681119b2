// MP4Finalizer
