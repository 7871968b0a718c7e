import AssayCore
import AssayLearn
import Foundation

/// A model that exists only in this test target: the logistic function of the distance along the line between
/// the two class means. It shows that a model is one file plus one registry line (see `ModelRegistryTests`).
struct ToyCentroidClassifier: Classifier, Equatable {
    var scale = 1.0

    static let definition = ModelDefinition.classifier("toy_centroid", tag: 200, defaults: ToyCentroidClassifier(), parameters: [
        Parameter(.number("scale", greaterThan: 0), default: .double(1), accepts: [.int(3)], rejects: [.int(0), .string("big")]) { $0.scale = $1.number! },
    ])

    func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], using rng: inout G) throws -> FittedToyCentroid {
        try InputCheck.fitting(x, y)
        var means = [[Double]](repeating: [Double](repeating: 0, count: x.cols), count: 2), counts = [0.0, 0.0]
        for i in 0..<x.rows {
            counts[Int(y[i])] += 1
            for j in 0..<x.cols { means[Int(y[i])][j] += x[i, j] }
        }
        for c in 0..<2 { for j in 0..<x.cols { means[c][j] /= counts[c] } }
        return FittedToyCentroid(direction: (0..<x.cols).map { scale * (means[1][$0] - means[0][$0]) },
                                 middle: (0..<x.cols).map { (means[1][$0] + means[0][$0]) / 2 })
    }
}

struct FittedToyCentroid: FittedClassifier {
    let direction: [Double]
    let middle: [Double]

    var inputWidth: Int { direction.count }

    func predictProbabilities(_ x: Matrix) throws -> [Double] {
        try InputCheck.predicting(x, width: inputWidth)
        return (0..<x.rows).map { i in Logistic.sigmoid((0..<x.cols).reduce(0) { $0 + direction[$1] * (x[i, $1] - middle[$1]) }) }
    }

    func encode(to w: inout ByteWriter) { w.write(direction); w.write(middle) }

    init(direction: [Double], middle: [Double]) {
        self.direction = direction
        self.middle = middle
    }

    init(from r: inout ByteReader) throws { self.init(direction: try r.readDoubles(), middle: try r.readDoubles()) }
}
