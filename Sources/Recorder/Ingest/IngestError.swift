/// Why an ingest cannot start or go on, in words: an input address that does not parse, no
/// free RTP ports, a name already live. Declared here so that the ingests need nothing from the
/// engine; the API answers it as FAIL with this text, as it does the engine's errors.
public struct IngestError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
