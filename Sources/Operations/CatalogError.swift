/// A catalog that cannot be opened or written; the description names the file and why.
public struct CatalogError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
