import Foundation

/// Prints rows of cells as columns: the first column left-aligned (names), the others
/// right-aligned (figures), three spaces apart.
enum AlignedTable {
    static func print(_ table: [[String]]) {
        guard let columns = table.first?.indices else { return }
        let widths = columns.map { column in table.map { $0[column].count }.max()! }
        for line in table {
            Swift.print(line.indices.map { i in
                i == 0 ? line[i].padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - line[i].count) + line[i]
            }.joined(separator: "   "))
        }
    }
}
