import AssayCore
import AssayEngine
@testable import Assay
import XCTest

/// The tasks of a run share one decoded copy of the loaded table, by the load task's key, until the run ends.
final class SharedTableTests: XCTestCase {
    func testOneDecodePerLoadKeyUntilReleased() throws {
        let table = Table(columns: [Column(name: "a", values: .numeric([1, 2, 3]))], rowCount: 3)
        let data = Dataset(features: table, target: [0, 1, 0], positiveLabel: "1", negativeLabel: "0", folds: nil)
        let key = TaskKey(operation: "load", parameters: "shared-table-test", inputs: [], version: 1)
        let other = TaskKey(operation: "load", parameters: "another table", inputs: [], version: 1)
        defer { SharedTable.release() }
        XCTAssertEqual(try SharedTable.dataset(key, data.encoded()), data)
        // The same key is not decoded again: its bytes are not even read.
        XCTAssertEqual(try SharedTable.dataset(key, Data()), data)
        // Another key is decoded from its own bytes.
        XCTAssertThrowsError(try SharedTable.dataset(other, Data()))
        XCTAssertEqual(try SharedTable.dataset(key, data.encoded()), data)
        SharedTable.release()
        XCTAssertThrowsError(try SharedTable.dataset(key, Data()), "released: decoded again")
    }
}
