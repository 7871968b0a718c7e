import AssayCore
import Foundation

/// A multilayer perceptron classifier trained with Adam on minibatches.
///
/// Matches scikit-learn's `MLPClassifier(solver="adam")`: dense hidden layers with relu, tanh, logistic or
/// identity activation and one logistic output unit; Glorot-uniform initial weights and biases
/// (bound `√(6/(fan_in + fan_out))`, 2 instead of 6 for logistic); the loss is the mean binary log loss of
/// the batch plus `alpha/2 · ‖W‖² / batch size`; batches of `min(200, n)` rows (`batch_size: auto`),
/// reshuffled every epoch. Training stops after `max_iter` epochs or when the epoch's training loss has not
/// improved by `tol` for more than `n_iter_no_change` epochs; with `early_stopping`, a stratified
/// `validation_fraction` of the rows is held out, the criterion is its accuracy, and the weights of the
/// best-scoring epoch are kept.
/// Random choices are scikit-learn's: initial weights, the stratified validation split and each epoch's
/// batch order are drawn in its order from numpy's `RandomState` (MT19937). With `random_state: N` that
/// stream is seeded by N, as `MLPClassifier(random_state=N)` is, and the same rows then give the same
/// network up to floating-point summation order; without it, the seed comes from the task's own stream.
public struct MultilayerPerceptron: WeightedClassifier, Equatable {
    public enum Activation: String, Sendable, CaseIterable { case relu, tanh, logistic, identity }

    public var hiddenLayerSizes = [100]
    public var activation = Activation.relu
    public var alpha = 1e-4
    /// Nil: `min(200, n)`.
    public var batchSize: Int? = nil
    public var learningRateInit = 1e-3
    public var maxIter = 200
    public var tol = 1e-4
    public var earlyStopping = false
    public var validationFraction = 0.1
    public var nIterNoChange = 10
    /// Nil: seeded from the fit's generator.
    public var randomState: UInt32? = nil

    public init() {}

    /// The spec's `mlp`.
    public static let definition = ModelDefinition.classifier("mlp", tag: 8, defaults: MultilayerPerceptron(), parameters: parameters)

    /// The parameters of `mlp`, shared by the classifier and the regressor.
    static let parameters: [Parameter<MultilayerPerceptron>] = [
        Parameter(ParameterRule("hidden_layer_sizes", summary: "an integer ≥ 1 | a list of them",
                                schema: ["anyOf": [["type": "integer", "minimum": 1], ["type": "array", "minItems": 1, "items": ["type": "integer", "minimum": 1]]]]) { v in
            if case .int(let n) = v, n >= 1 { return nil }
            if case .list(let items) = v, !items.isEmpty, items.allSatisfy({ ($0.intValue ?? 0) >= 1 }) { return nil }
            return "must be a list of layer sizes (integers of at least 1), got \(v.json)"
        }, default: .list([.int(100)]), accepts: [.int(50), .list([.int(10), .int(5)])], rejects: [.list([]), .int(0), .list([.int(3), .int(0)])]) {
            if case .list(let items) = $1 { $0.hiddenLayerSizes = items.map { $0.intValue! } } else { $0.hiddenLayerSizes = [$1.intValue!] }
        },
        Parameter(.choice("activation", ["relu", "tanh", "logistic", "identity"]), default: .string("relu"), accepts: [.string("tanh")], rejects: [.string("softmax")]) {
            $0.activation = Activation(rawValue: $1.stringValue!)!
        },
        Parameter(.number("alpha", atLeast: 0), default: .double(1e-4), accepts: [.int(0)], rejects: [.double(-1)]) { $0.alpha = $1.number! },
        Parameter(ParameterRule("batch_size", summary: "auto | an integer ≥ 1", schema: ["anyOf": [["const": "auto"], ["type": "integer", "minimum": 1]]]) { v in
            if v == .string("auto") { return nil }
            if case .int(let b) = v, b >= 1 { return nil }
            return "must be auto or an integer of at least 1, got \(v.json)"
        }, default: .string("auto"), accepts: [.int(32)], rejects: [.int(0), .string("big")]) { $0.batchSize = $1.intValue },
        Parameter(.number("learning_rate_init", greaterThan: 0), default: .double(1e-3), rejects: [.int(0)]) { $0.learningRateInit = $1.number! },
        Parameter(.integer("max_iter", atLeast: 1), default: .int(200), rejects: [.int(0)]) { $0.maxIter = $1.intValue! },
        Parameter(ParameterRule.randomState, default: .null, accepts: [.int(42), .int(4_294_967_295)], rejects: [.int(-1), .int(4_294_967_296)]) { $0.randomState = $1.intValue.map(UInt32.init) },
        Parameter(.number("tol", atLeast: 0), default: .double(1e-4), accepts: [.int(0)], rejects: [.double(-1)]) { $0.tol = $1.number! },
        Parameter(.boolean("early_stopping"), default: .bool(false), accepts: [.bool(true)], rejects: [.int(1)]) { $0.earlyStopping = $1.boolValue! },
        Parameter(ParameterRule("validation_fraction", summary: "a number in (0, 1)", schema: ["type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1]) { v in
            guard let f = v.number, f > 0, f < 1 else { return "must be a number in (0, 1), got \(v.json)" }
            return nil
        }, default: .double(0.1), accepts: [.double(0.5)], rejects: [.int(0), .int(1)]) { $0.validationFraction = $1.number! },
        Parameter(.integer("n_iter_no_change", atLeast: 1), default: .int(10), rejects: [.int(0)]) { $0.nIterNoChange = $1.intValue! },
    ]

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], using rng: inout G) throws -> FittedMultilayerPerceptron {
        try InputCheck.fitting(x, y)
        return try train(x, targets: y.map(Double.init), labels: y, using: &rng)
    }

    /// Weighted batch losses and gradients, as scikit-learn's `MLPClassifier.fit(sample_weight=…)` (see `train`).
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], weights: [Double], using rng: inout G) throws -> FittedMultilayerPerceptron {
        try InputCheck.fitting(x, y)
        return try train(x, targets: y.map(Double.init), labels: y, sampleWeights: weights, using: &rng)
    }

    /// Trains the network on `targets`: a classifier's 0/1 labels (`labels` given: a logistic output and log loss), or a
    /// regression's values (`labels` nil: an identity output and half squared error, scikit-learn's `MLPRegressor`).
    /// With `classes` (task multiclass), `labels` are class indices and the output is `classes` softmax units with the
    /// multinomial log loss (scikit-learn's `MLPClassifier` on more than two classes: one-hot targets).
    /// With `sampleWeights` (scikit-learn's `sample_weight`), each batch's loss and gradients are weighted averages (the
    /// L2 term divided by the batch's weight) and the early-stopping score is weighted.
    func train<G: RandomNumberGenerator>(_ x: Matrix, targets: [Double], labels y: [UInt8]?, classes: Int? = nil, sampleWeights: [Double]? = nil,
                                         using rng: inout G) throws -> FittedMultilayerPerceptron {
        let regression = y == nil, softmax = classes != nil
        var rs = NumpyRandomState(seed: randomState ?? UInt32(truncatingIfNeeded: rng.next()))
        let outputs = classes ?? 1
        let sizes = [x.cols] + hiddenLayerSizes + [outputs]
        let layers = sizes.count - 1

        // Parameters: weights of each layer (fan_in × fan_out, row-major), then biases of each layer; drawn
        // layer by layer, weights before biases, as scikit-learn's `_initialize`.
        var params: [[Double]] = []
        var biases: [[Double]] = []
        for l in 0..<layers {
            let bound = ((activation == .logistic ? 2.0 : 6.0) / Double(sizes[l] + sizes[l + 1])).squareRoot()
            params.append((0..<(sizes[l] * sizes[l + 1])).map { _ in rs.uniform(-bound, bound) })
            biases.append((0..<sizes[l + 1]).map { _ in rs.uniform(-bound, bound) })
        }

        var trainRows = Array(0..<x.rows), validRows: [Int] = []
        if earlyStopping, regression || softmax {
            // scikit-learn's train_test_split without stratify (it stratifies only a single output unit, not one-hot
            // targets): one permutation, test rows first.
            let nValid = Int((validationFraction * Double(x.rows)).rounded(.up))
            let p = rs.permutation(x.rows)
            (validRows, trainRows) = (Array(p[..<nValid]), Array(p[nValid...]))
            guard validRows.count >= 2, !trainRows.isEmpty else {
                throw LearnError.badParameter("mlp: the validation set of \(validRows.count) rows is too small (raise validation_fraction)")
            }
        } else if earlyStopping, let y {
            var counts = [Int](repeating: 0, count: max(outputs, 2))
            for label in y { counts[Int(label)] += 1 }
            guard (counts.min() ?? 0) >= 2 else {
                throw LearnError.badParameter("mlp: early_stopping needs at least two rows of each class")
            }
            (trainRows, validRows) = StratifiedSplitter.shuffleSplit(y, testFraction: validationFraction, using: &rs)
            guard validRows.count >= 2, !trainRows.isEmpty else {
                throw LearnError.badParameter("mlp: the validation set of \(validRows.count) rows is too small (raise validation_fraction)")
            }
        }
        let xt = x.rows(trainRows), yt = trainRows.map { targets[$0] }
        let xv = x.rows(validRows), yv = validRows.map { targets[$0] }
        let wt = sampleWeights.map { w in trainRows.map { w[$0] } }, wv = sampleWeights.map { w in validRows.map { w[$0] } }
        params += biases
        var adam = Adam(sizes: params.map(\.count), learningRate: learningRateInit)

        let n = xt.rows
        let batch = min(max(batchSize ?? 200, 1), n)
        var work = Network.Workspace(sizes: sizes, rows: batch)
        var grads = params.map { [Double](repeating: 0, count: $0.count) }
        var order = Array(0..<n)
        var batchX = [Double](repeating: 0, count: batch * x.cols), batchY = [Double](repeating: 0, count: batch * outputs)
        var batchW = [Double](repeating: 1, count: wt == nil ? 0 : batch)

        var bestLoss = Double.infinity, bestScore = -Double.infinity
        var best = params
        var stall = 0, epochs = 0, stopped = false
        while epochs < maxIter {
            let previous = order
            order = rs.permutation(n).map { previous[$0] }   // sklearn.utils.shuffle(sample_idx)
            var total = 0.0
            var start = 0
            while start < n {
                let m = min(batch, n - start)
                xt.values.withUnsafeBufferPointer { xb in
                    batchX.withUnsafeMutableBufferPointer { bx in
                        for r in 0..<m {
                            let src = xb.baseAddress! + order[start + r] * x.cols
                            (bx.baseAddress! + r * x.cols).update(from: src, count: x.cols)
                        }
                    }
                }
                if softmax {
                    // One-hot targets, a row of `outputs` per row.
                    for r in 0..<m { for c in 0..<outputs { batchY[r * outputs + c] = Int(yt[order[start + r]]) == c ? 1 : 0 } }
                } else {
                    for r in 0..<m { batchY[r] = yt[order[start + r]] }
                }
                if let wt { for r in 0..<m { batchW[r] = wt[order[start + r]] } }
                let loss = Network.backpropagate(params, sizes: sizes, activation: activation, alpha: alpha, identityOutput: regression,
                                                 softmaxOutput: softmax, x: batchX, y: batchY, weights: wt == nil ? nil : batchW, rows: m,
                                                 work: &work, gradients: &grads)
                total += loss * Double(m)
                adam.update(&params, grads)
                start += m
            }
            epochs += 1
            if earlyStopping {
                // The validation score: R² for a regressor, accuracy for a classifier (each one's `score`).
                let p = Network.forward(params, sizes: sizes, activation: activation, identityOutput: regression, softmaxOutput: softmax, x: xv)
                var score: Double
                if regression {
                    score = RegressionScoring.score(.r2, values: yv, predictions: p, weights: wv)
                } else if softmax {
                    // Accuracy: the most probable class (the first of equals) against the row's class.
                    var correct = 0.0
                    for i in yv.indices where Double((0..<outputs).reduce(0) { p[i * outputs + $1] > p[i * outputs + $0] ? $1 : $0 }) == yv[i] { correct += wv?[i] ?? 1 }
                    score = correct / (wv?.reduce(0, +) ?? Double(yv.count))
                } else {
                    var correct = 0.0
                    for i in p.indices where (p[i] > 0.5 ? 1.0 : 0.0) == yv[i] { correct += wv?[i] ?? 1 }
                    score = correct / (wv?.reduce(0, +) ?? Double(p.count))
                }
                stall = score < bestScore + tol ? stall + 1 : 0
                if score > bestScore { bestScore = score; best = params }
            } else {
                let epochLoss = total / Double(n)
                stall = epochLoss > bestLoss - tol ? stall + 1 : 0
                bestLoss = min(bestLoss, epochLoss)
            }
            if stall > nIterNoChange { stopped = true; break }
        }
        var fitted = FittedMultilayerPerceptron(sizes: sizes, activation: activation, parameters: earlyStopping ? best : params,
                                                epochs: epochs, converged: stopped, identityOutput: regression)
        fitted.softmaxOutput = softmax
        return fitted
    }
}

/// The arithmetic of a dense network: forward passes and backpropagation over row-major batches.
enum Network {
    /// Per-layer activations and deltas for a batch of up to `rows` rows.
    struct Workspace {
        var activations: [[Double]]
        var deltas: [[Double]]
        init(sizes: [Int], rows: Int) {
            activations = sizes.map { [Double](repeating: 0, count: $0 * rows) }
            deltas = sizes.map { [Double](repeating: 0, count: $0 * rows) }
        }
    }

    /// out (rows × n) = a (rows × k) · w (k × n) + b, skipping zero inputs (one-hot columns are mostly zero).
    static func affine(_ a: UnsafePointer<Double>, rows: Int, k: Int, _ w: UnsafePointer<Double>, n: Int,
                       _ b: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        for i in 0..<rows {
            let o = out + i * n
            o.update(from: b, count: n)
            let ai = a + i * k
            for kk in 0..<k {
                let v = ai[kk]
                if v == 0 { continue }
                let wr = w + kk * n
                for j in 0..<n { o[j] += v * wr[j] }
            }
        }
    }

    static func activate(_ z: UnsafeMutablePointer<Double>, count: Int, _ f: MultilayerPerceptron.Activation) {
        switch f {
        case .relu: for i in 0..<count where z[i] < 0 { z[i] = 0 }
        case .tanh: for i in 0..<count { z[i] = Foundation.tanh(z[i]) }
        case .logistic: for i in 0..<count { z[i] = Logistic.sigmoid(z[i]) }
        case .identity: break
        }
    }

    /// The positive-class probability of every row of `x` (with `identityOutput`, the output unit's value; with
    /// `softmaxOutput`, the softmax of the output units, a row of them per row).
    static func forward(_ params: [[Double]], sizes: [Int], activation: MultilayerPerceptron.Activation, identityOutput: Bool = false,
                        softmaxOutput: Bool = false, x: Matrix) -> [Double] {
        let layers = sizes.count - 1, outputs = sizes[layers]
        let block = 256
        var out = [Double](repeating: 0, count: x.rows * (softmaxOutput ? outputs : 1))
        var buffers = sizes.map { [Double](repeating: 0, count: $0 * block) }
        var start = 0
        while start < x.rows {
            let m = min(block, x.rows - start)
            x.values.withUnsafeBufferPointer { xb in
                buffers[0].withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: xb.baseAddress! + start * x.cols, count: m * x.cols) }
            }
            for l in 0..<layers {
                let input = buffers[l]
                input.withUnsafeBufferPointer { a in
                    params[l].withUnsafeBufferPointer { w in
                        params[layers + l].withUnsafeBufferPointer { b in
                            buffers[l + 1].withUnsafeMutableBufferPointer { o in
                                affine(a.baseAddress!, rows: m, k: sizes[l], w.baseAddress!, n: sizes[l + 1], b.baseAddress!, into: o.baseAddress!)
                                if l < layers - 1 { activate(o.baseAddress!, count: m * sizes[l + 1], activation) }
                            }
                        }
                    }
                }
            }
            if softmaxOutput {
                buffers[layers].withUnsafeBufferPointer { z in
                    out.withUnsafeMutableBufferPointer { o in
                        for r in 0..<m { Logistic.softmax(z.baseAddress! + r * outputs, count: outputs, into: o.baseAddress! + (start + r) * outputs) }
                    }
                }
            } else {
                for r in 0..<m { out[start + r] = identityOutput ? buffers[layers][r] : Logistic.sigmoid(buffers[layers][r]) }
            }
            start += m
        }
        return out
    }

    /// One batch: the loss (mean log loss, or with `identityOutput` half the mean squared error, plus the L2 term) and,
    /// in `gradients`, its gradient for every parameter.
    /// With `softmaxOutput`, `y` holds a one-hot row per row and the loss is the multinomial log loss.
    /// With `weights` (the batch's sample weights), the loss is their weighted mean, δ of the output is scaled by each
    /// row's weight and every mean (and the L2 term) divides by the weights' sum instead of the row count.
    static func backpropagate(_ params: [[Double]], sizes: [Int], activation: MultilayerPerceptron.Activation, alpha: Double, identityOutput: Bool = false,
                              softmaxOutput: Bool = false, x: [Double], y: [Double], weights: [Double]? = nil, rows m: Int, work: inout Workspace,
                              gradients: inout [[Double]]) -> Double {
        let layers = sizes.count - 1
        work.activations[0].withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: x, count: m * sizes[0]) }
        for l in 0..<layers {
            let input = work.activations[l]
            input.withUnsafeBufferPointer { a in
                params[l].withUnsafeBufferPointer { w in
                    params[layers + l].withUnsafeBufferPointer { b in
                        work.activations[l + 1].withUnsafeMutableBufferPointer { o in
                            affine(a.baseAddress!, rows: m, k: sizes[l], w.baseAddress!, n: sizes[l + 1], b.baseAddress!, into: o.baseAddress!)
                            if l < layers - 1 { activate(o.baseAddress!, count: m * sizes[l + 1], activation) }
                        }
                    }
                }
            }
        }
        // Output: probability, log loss (clipped as scikit-learn does) and δ = p − y.
        var loss = 0.0
        let clip = Double.ulpOfOne
        if softmaxOutput {
            let k = sizes[layers]
            var p = [Double](repeating: 0, count: k)
            for r in 0..<m {
                work.activations[layers].withUnsafeBufferPointer { z in p.withUnsafeMutableBufferPointer { Logistic.softmax(z.baseAddress! + r * k, count: k, into: $0.baseAddress!) } }
                let wr = weights?[r] ?? 1
                for c in 0..<k {
                    let t = y[r * k + c]
                    if t != 0 { loss -= wr * (t * log(min(max(p[c], clip), 1 - clip))) }
                    work.activations[layers][r * k + c] = p[c]
                    work.deltas[layers][r * k + c] = (p[c] - t) * wr
                }
            }
        }
        for r in 0..<m where !softmaxOutput {
            let wr = weights?[r] ?? 1
            if identityOutput {
                let p = work.activations[layers][r]
                loss += wr * ((p - y[r]) * (p - y[r]) / 2)
                work.deltas[layers][r] = (p - y[r]) * wr
                continue
            }
            let p = Logistic.sigmoid(work.activations[layers][r])
            work.activations[layers][r] = p
            let pc = min(max(p, clip), 1 - clip)
            loss -= wr * (y[r] == 1 ? log(pc) : log(1 - pc))
            work.deltas[layers][r] = (p - y[r]) * wr
        }
        let total = weights.map { w in (0..<m).reduce(0.0) { $0 + w[$1] } } ?? Double(m)
        loss /= total
        var squares = 0.0
        for l in 0..<layers { for w in params[l] { squares += w * w } }
        loss += 0.5 * alpha * squares / total

        let scale = 1 / total
        for l in stride(from: layers - 1, through: 0, by: -1) {
            let k = sizes[l], n = sizes[l + 1]
            // ∂W = (Aᵀ δ + α W) / m,  ∂b = Σ δ / m.
            work.activations[l].withUnsafeBufferPointer { a in
                work.deltas[l + 1].withUnsafeBufferPointer { d in
                    gradients[l].withUnsafeMutableBufferPointer { g in
                        params[l].withUnsafeBufferPointer { w in
                            for i in 0..<(k * n) { g[i] = alpha * w[i] }
                            for r in 0..<m {
                                let ar = a.baseAddress! + r * k, dr = d.baseAddress! + r * n
                                for kk in 0..<k {
                                    let v = ar[kk]
                                    if v == 0 { continue }
                                    let gr = g.baseAddress! + kk * n
                                    for j in 0..<n { gr[j] += v * dr[j] }
                                }
                            }
                            for i in 0..<(k * n) { g[i] *= scale }
                        }
                    }
                    gradients[layers + l].withUnsafeMutableBufferPointer { gb in
                        for j in 0..<n { gb[j] = 0 }
                        for r in 0..<m { for j in 0..<n { gb[j] += d[r * n + j] } }
                        for j in 0..<n { gb[j] *= scale }
                    }
                }
            }
            guard l > 0 else { break }
            // δ of the layer below: (δ Wᵀ) times the activation's derivative at its output.
            work.deltas[l + 1].withUnsafeBufferPointer { d in
                params[l].withUnsafeBufferPointer { w in
                    work.activations[l].withUnsafeBufferPointer { a in
                        work.deltas[l].withUnsafeMutableBufferPointer { below in
                            for r in 0..<m {
                                // Row r of δ Wᵀ: each weight row's dot with δ's row r, in column order.
                                RowDots.compute(w.baseAddress!, rows: k, cols: n, d.baseAddress! + r * n, start: 0, into: below.baseAddress! + r * k)
                                for kk in 0..<k {
                                    var s = below[r * k + kk]
                                    let out = a[r * k + kk]
                                    switch activation {
                                    case .relu: s = out == 0 ? 0 : s
                                    case .tanh: s *= 1 - out * out
                                    case .logistic: s *= out * (1 - out)
                                    case .identity: break
                                    }
                                    below[r * k + kk] = s
                                }
                            }
                        }
                    }
                }
            }
        }
        return loss
    }
}

/// A fitted multilayer perceptron: layer sizes, activation, and weights then biases per layer.
public struct FittedMultilayerPerceptron: FittedClassifier, Equatable {
    public let sizes: [Int]
    public let activation: MultilayerPerceptron.Activation
    public let parameters: [[Double]]
    public let epochs: Int
    /// False when training ran all `max_iter` epochs without meeting the stopping rule.
    public let converged: Bool
    /// A regressor's network: its output unit is read as it is, not through the logistic function (not saved: the
    /// regressor's own fitted type says so).
    public var identityOutput = false
    /// A multiclass network: its output units go through the softmax (not saved: the multiclass fitted type says so).
    public var softmaxOutput = false

    public var inputWidth: Int { sizes[0] }

    public var convergenceNote: String? { converged ? nil : "ran all max_iter (\(epochs)) epochs without meeting the n_iter_no_change rule" }

    public func predictProbabilities(_ x: Matrix) throws -> [Double] {
        try InputCheck.predicting(x, width: inputWidth)
        return Network.forward(parameters, sizes: sizes, activation: activation, identityOutput: identityOutput, x: x)
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(sizes)
        w.write(UInt8(MultilayerPerceptron.Activation.allCases.firstIndex(of: activation)!))
        for p in parameters { w.write(p) }
        w.write(epochs); w.write(converged)
    }

    init(sizes: [Int], activation: MultilayerPerceptron.Activation, parameters: [[Double]], epochs: Int, converged: Bool, identityOutput: Bool = false) {
        self.identityOutput = identityOutput
        self.sizes = sizes
        self.activation = activation
        self.parameters = parameters
        self.epochs = epochs
        self.converged = converged
    }

    public init(from r: inout ByteReader) throws { try self.init(from: &r, outputs: 1...1) }

    /// Reads a network whose output layer has a size in `outputs` (1 for a binary or regression network).
    init(from r: inout ByteReader, outputs: ClosedRange<Int>) throws {
        try r.readHeader("multilayer perceptron", version: Self.formatVersion)
        let sizes = try r.readInts()
        let tag = try r.readUInt8()
        guard sizes.count >= 2, sizes.allSatisfy({ $0 >= 1 }), outputs.contains(sizes.last ?? 0), Int(tag) < MultilayerPerceptron.Activation.allCases.count else {
            throw BinaryFormatError.badTag("multilayer perceptron", tag)
        }
        let layers = sizes.count - 1
        var parameters: [[Double]] = []
        for l in 0..<layers {
            parameters.append(try r.readDoubles())
            try BinaryFormatError.require(parameters[l].count == (try BinaryFormatError.product(sizes[l], sizes[l + 1], "mlp: layer")), "mlp: layer weights")
        }
        for l in 0..<layers { parameters.append(try r.readDoubles()); guard parameters[layers + l].count == sizes[l + 1] else { throw BinaryFormatError.truncated } }
        self.init(sizes: sizes, activation: MultilayerPerceptron.Activation.allCases[Int(tag)], parameters: parameters,
                  epochs: try r.readInt(), converged: try r.readBool())
    }
}

/// A multilayer perceptron regressor: scikit-learn's `MLPRegressor(solver="adam")`, the classifier's network and
/// training (`MultilayerPerceptron`, the same parameters and random draws) with an identity output unit and half the
/// mean squared error as the loss; with `early_stopping`, the held-out rows are an unstratified `validation_fraction`
/// (scikit-learn's `train_test_split` draw) and the criterion is their R².
public struct MLPRegressor: WeightedRegressor, Equatable {
    public var network = MultilayerPerceptron()

    public init() {}

    /// The spec's `mlp` (task regression).
    public static let definition = ModelDefinition.regressor("mlp", tag: 15, defaults: MLPRegressor(),
                                                             parameters: MultilayerPerceptron.parameters.map { $0.lifted(\.network) })

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], using rng: inout G) throws -> FittedMLPRegressor {
        try InputCheck.fitting(x, y)
        return FittedMLPRegressor(network: try network.train(x, targets: y, labels: nil, using: &rng))
    }

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], weights: [Double], using rng: inout G) throws -> FittedMLPRegressor {
        try InputCheck.fitting(x, y)
        return FittedMLPRegressor(network: try network.train(x, targets: y, labels: nil, sampleWeights: weights, using: &rng))
    }
}

public struct FittedMLPRegressor: FittedRegressor, Equatable {
    public let network: FittedMultilayerPerceptron

    public var inputWidth: Int { network.inputWidth }
    public var convergenceNote: String? { network.convergenceNote }

    public func predict(_ x: Matrix) throws -> [Double] { try network.predictProbabilities(x) }

    public func encode(to w: inout ByteWriter) { network.encode(to: &w) }

    init(network: FittedMultilayerPerceptron) {
        var n = network
        n.identityOutput = true
        self.network = n
    }

    public init(from r: inout ByteReader) throws { self.init(network: try FittedMultilayerPerceptron(from: &r)) }
}

/// A multilayer perceptron for task multiclass: scikit-learn's `MLPClassifier(solver="adam")` on more than two classes,
/// the binary network's parameters, initial draws and training with `classes` softmax output units, one-hot targets and
/// the multinomial log loss; `early_stopping` holds out a stratified `validation_fraction` and watches its accuracy.
public struct MulticlassMLP: WeightedMulticlassClassifier, Equatable {
    public var network = MultilayerPerceptron()

    public init() {}

    /// The spec's `mlp` under `task: multiclass`.
    public static let definition = ModelDefinition.multiclass("mlp", tag: 26, defaults: MulticlassMLP(),
                                                              parameters: MultilayerPerceptron.parameters.map { $0.lifted(\.network) })

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, using rng: inout G) throws -> FittedMulticlassMLP {
        try InputCheck.fitting(x, y, classes: k)
        return FittedMulticlassMLP(network: try network.train(x, targets: y.map(Double.init), labels: y, classes: k, using: &rng))
    }

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, weights: [Double], using rng: inout G) throws -> FittedMulticlassMLP {
        try InputCheck.fitting(x, y, classes: k)
        return FittedMulticlassMLP(network: try network.train(x, targets: y.map(Double.init), labels: y, classes: k, sampleWeights: weights, using: &rng))
    }
}

public struct FittedMulticlassMLP: FittedMulticlassClassifier, Equatable {
    public let network: FittedMultilayerPerceptron

    public var classCount: Int { network.sizes.last ?? 0 }
    public var inputWidth: Int { network.inputWidth }
    public var convergenceNote: String? { network.convergenceNote }

    init(network: FittedMultilayerPerceptron) {
        var n = network
        n.softmaxOutput = true
        self.network = n
    }

    public func predictClassProbabilities(_ x: Matrix) throws -> Matrix {
        try InputCheck.predicting(x, width: inputWidth)
        return Matrix(rows: x.rows, cols: classCount,
                      values: Network.forward(network.parameters, sizes: network.sizes, activation: network.activation, softmaxOutput: true, x: x))
    }

    public func encode(to w: inout ByteWriter) { network.encode(to: &w) }

    public init(from r: inout ByteReader) throws { self.init(network: try FittedMultilayerPerceptron(from: &r, outputs: 2...255)) }
}
