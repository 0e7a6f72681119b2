// StagingWriter
