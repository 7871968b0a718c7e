/// libsvm's SMO solver for the C-SVC dual problem
///
///     min ½ αᵀQα − eᵀα   subject to  yᵀα = 0,  0 ≤ αᵢ ≤ Cᵢ,
///
/// and, with a linear term `p` in place of −e, the ε-SVR dual (libsvm's `solve_epsilon_svr` on 2l variables),
/// with second-order working-set selection (Fan, Chen and Lin, 2005), shrinking of variables stuck at a
/// bound, and gradient reconstruction before the final optimality check, as in libsvm 3.x's `Solver`.
/// It stops when the maximal violating pair's gap is below `tolerance` (libsvm's `eps`).
/// Variables live at positions that shrinking swaps exactly as libsvm swaps them (the kernel cache follows),
/// so the active ones are contiguous, selection ties break the same way and every step is libsvm's.
struct SMOSolver {
    let tolerance: Double
    let shrinking: Bool
    /// Iteration cap; libsvm's default is `max(10_000_000, 100·l)`.
    let maxIterations: Int

    struct Solution {
        var alpha: [Double]
        var rho: Double
        var iterations: Int
        var reachedMaxIterations: Bool
    }

    private enum Status: UInt8 { case lower, upper, free }

    /// `signs` are ±1; `upper[i]` is Cᵢ; `linear` is the linear term p (nil: −1 for every variable, C-SVC). The
    /// matrix's positions are rearranged while solving.
    func solve<Q: QMatrix>(q: Q, signs: [Double], upper: [Double], linear: [Double]? = nil) -> Solution {
        let l = signs.count
        let tau = 1e-12
        // By position; `original[k]` is the variable at position k.
        var y = signs, c = upper
        var p = linear ?? [Double](repeating: -1, count: l)
        var alpha = [Double](repeating: 0, count: l)
        var gradient = p                                       // Qα + p with α = 0
        var gradientBar = [Double](repeating: 0, count: l)   // Σ over αⱼ = Cⱼ of Cⱼ Q[·][j]
        var status = [Status](repeating: .lower, count: l)
        var original = Array(0..<l)
        var activeSize = l
        var unshrink = false

        func swapPositions(_ i: Int, _ j: Int) {
            q.swapAt(i, j)
            y.swapAt(i, j); gradient.swapAt(i, j); status.swapAt(i, j); alpha.swapAt(i, j); p.swapAt(i, j)
            original.swapAt(i, j); gradientBar.swapAt(i, j); c.swapAt(i, j)
        }

        func updateStatus(_ i: Int) {
            status[i] = alpha[i] >= c[i] ? .upper : alpha[i] <= 0 ? .lower : .free
        }

        func reconstructGradient() {
            guard activeSize < l else { return }
            for j in activeSize..<l { gradient[j] = gradientBar[j] + p[j] }
            var free = 0
            for j in 0..<activeSize where status[j] == .free { free += 1 }
            if free * l > 2 * activeSize * (l - activeSize) {
                for i in activeSize..<l {
                    let qi = q.row(i, count: activeSize)
                    for j in 0..<activeSize where status[j] == .free { gradient[i] += alpha[j] * Double(qi[j]) }
                }
            } else {
                for i in 0..<activeSize where status[i] == .free {
                    let qi = q.row(i, count: l), ai = alpha[i]
                    for j in activeSize..<l { gradient[j] += ai * Double(qi[j]) }
                }
            }
        }

        /// The maximal violating pair by second-order gain, or nil when optimal within tolerance.
        func selectWorkingSet() -> (Int, Int)? {
            var gMax = -Double.infinity, gMax2 = -Double.infinity
            var iBest = -1, jBest = -1
            var objDiffMin = Double.infinity
            let qd = q.diagonal, n = activeSize
            // Read through buffers: the loops below run over every active variable at every step.
            return y.withUnsafeBufferPointer { y in
                gradient.withUnsafeBufferPointer { gradient in
                    status.withUnsafeBufferPointer { status in
                        qd.withUnsafeBufferPointer { qd in
                            for t in 0..<n {
                                if y[t] > 0 {
                                    if status[t] != .upper, -gradient[t] >= gMax { gMax = -gradient[t]; iBest = t }
                                } else {
                                    if status[t] != .lower, gradient[t] >= gMax { gMax = gradient[t]; iBest = t }
                                }
                            }
                            guard iBest >= 0 else { return nil }
                            let i = iBest, qdi = qd[i], yi = y[i]
                            let qi = q.row(i, count: n)
                            for j in 0..<n {
                                if y[j] > 0 {
                                    guard status[j] != .lower else { continue }
                                    let gradDiff = gMax + gradient[j]
                                    if gradient[j] >= gMax2 { gMax2 = gradient[j] }
                                    if gradDiff > 0 {
                                        let quad = qdi + qd[j] - 2 * yi * Double(qi[j])
                                        let objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : tau)
                                        if objDiff <= objDiffMin { jBest = j; objDiffMin = objDiff }
                                    }
                                } else {
                                    guard status[j] != .upper else { continue }
                                    let gradDiff = gMax - gradient[j]
                                    if -gradient[j] >= gMax2 { gMax2 = -gradient[j] }
                                    if gradDiff > 0 {
                                        let quad = qdi + qd[j] + 2 * yi * Double(qi[j])
                                        let objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : tau)
                                        if objDiff <= objDiffMin { jBest = j; objDiffMin = objDiff }
                                    }
                                }
                            }
                            if gMax + gMax2 < tolerance || jBest == -1 { return nil }
                            return (i, jBest)
                        }
                    }
                }
            }
        }

        func shouldShrink(_ i: Int, _ gMax1: Double, _ gMax2: Double) -> Bool {
            switch status[i] {
            case .upper: return y[i] > 0 ? -gradient[i] > gMax1 : -gradient[i] > gMax2
            case .lower: return y[i] > 0 ? gradient[i] > gMax2 : gradient[i] > gMax1
            case .free: return false
            }
        }

        func shrink() {
            var gMax1 = -Double.infinity, gMax2 = -Double.infinity
            for i in 0..<activeSize {
                if y[i] > 0 {
                    if status[i] != .upper { gMax1 = max(gMax1, -gradient[i]) }
                    if status[i] != .lower { gMax2 = max(gMax2, gradient[i]) }
                } else {
                    if status[i] != .upper { gMax2 = max(gMax2, -gradient[i]) }
                    if status[i] != .lower { gMax1 = max(gMax1, gradient[i]) }
                }
            }
            if !unshrink, gMax1 + gMax2 <= tolerance * 10 {
                unshrink = true
                reconstructGradient()
                activeSize = l
            }
            var i = 0
            while i < activeSize {
                if shouldShrink(i, gMax1, gMax2) {
                    activeSize -= 1
                    while activeSize > i {
                        if !shouldShrink(activeSize, gMax1, gMax2) {
                            swapPositions(i, activeSize)
                            break
                        }
                        activeSize -= 1
                    }
                }
                i += 1
            }
        }

        var iterations = 0
        var counter = min(l, 1000) + 1
        var reachedMax = false
        while iterations < maxIterations {
            counter -= 1
            if counter == 0 {
                counter = min(l, 1000)
                if shrinking { shrink() }
            }
            var pair = selectWorkingSet()
            if pair == nil {
                reconstructGradient()
                activeSize = l
                pair = selectWorkingSet()
                if pair == nil { break }
                counter = 1   // shrink again at the next iteration
            }
            let (i, j) = pair!
            iterations += 1

            let qi = q.row(i, count: activeSize), qj = q.row(j, count: activeSize)
            let qd = q.diagonal
            let ci = c[i], cj = c[j]
            let oldI = alpha[i], oldJ = alpha[j]
            if y[i] != y[j] {
                var quad = qd[i] + qd[j] + 2 * Double(qi[j])
                if quad <= 0 { quad = tau }
                let delta = (-gradient[i] - gradient[j]) / quad
                let diff = alpha[i] - alpha[j]
                alpha[i] += delta; alpha[j] += delta
                if diff > 0 {
                    if alpha[j] < 0 { alpha[j] = 0; alpha[i] = diff }
                } else {
                    if alpha[i] < 0 { alpha[i] = 0; alpha[j] = -diff }
                }
                if diff > ci - cj {
                    if alpha[i] > ci { alpha[i] = ci; alpha[j] = ci - diff }
                } else {
                    if alpha[j] > cj { alpha[j] = cj; alpha[i] = cj + diff }
                }
            } else {
                var quad = qd[i] + qd[j] - 2 * Double(qi[j])
                if quad <= 0 { quad = tau }
                let delta = (gradient[i] - gradient[j]) / quad
                let sum = alpha[i] + alpha[j]
                alpha[i] -= delta; alpha[j] += delta
                if sum > ci {
                    if alpha[i] > ci { alpha[i] = ci; alpha[j] = sum - ci }
                } else {
                    if alpha[j] < 0 { alpha[j] = 0; alpha[i] = sum }
                }
                if sum > cj {
                    if alpha[j] > cj { alpha[j] = cj; alpha[i] = sum - cj }
                } else {
                    if alpha[i] < 0 { alpha[i] = 0; alpha[j] = sum }
                }
            }

            let dI = alpha[i] - oldI, dJ = alpha[j] - oldJ
            gradient.withUnsafeMutableBufferPointer { g in
                for k in 0..<activeSize { g[k] += Double(qi[k]) * dI + Double(qj[k]) * dJ }
            }

            let wasUpperI = status[i] == .upper, wasUpperJ = status[j] == .upper
            updateStatus(i); updateStatus(j)
            func updateGradientBar(_ v: Int, wasUpper: Bool, _ cv: Double) {
                guard wasUpper != (status[v] == .upper) else { return }
                let row = q.row(v, count: l), factor = wasUpper ? -cv : cv
                gradientBar.withUnsafeMutableBufferPointer { g in for k in 0..<l { g[k] += factor * Double(row[k]) } }
            }
            updateGradientBar(i, wasUpper: wasUpperI, ci)
            updateGradientBar(j, wasUpper: wasUpperJ, cj)
        }
        if iterations >= maxIterations {
            reachedMax = true
            reconstructGradient()
            activeSize = l
        }

        // ρ: the mean of yᵢ∇ᵢ over free variables, or the middle of the feasible interval when none is free.
        var upperBound = Double.infinity, lowerBound = -Double.infinity, freeSum = 0.0, freeCount = 0
        for i in 0..<activeSize {
            let yg = y[i] * gradient[i]
            switch status[i] {
            case .upper: if y[i] < 0 { upperBound = min(upperBound, yg) } else { lowerBound = max(lowerBound, yg) }
            case .lower: if y[i] > 0 { upperBound = min(upperBound, yg) } else { lowerBound = max(lowerBound, yg) }
            case .free: freeCount += 1; freeSum += yg
            }
        }
        let rho = freeCount > 0 ? freeSum / Double(freeCount) : (upperBound + lowerBound) / 2
        var solution = [Double](repeating: 0, count: l)
        for k in 0..<l { solution[original[k]] = alpha[k] }
        return Solution(alpha: solution, rho: rho, iterations: iterations, reachedMaxIterations: reachedMax)
    }
}
