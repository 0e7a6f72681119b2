// Recorder
