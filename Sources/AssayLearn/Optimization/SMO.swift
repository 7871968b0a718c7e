/// libsvm's SMO solver for the C-SVC dual problem
///
///     min ½ αᵀQα − eᵀα   subject to  yᵀα = 0,  0 ≤ αᵢ ≤ Cᵢ,
///
/// with second-order working-set selection (Fan, Chen and Lin, 2005), shrinking of variables stuck at a
/// bound, and gradient reconstruction before the final optimality check, as in libsvm 3.x's `Solver`.
/// It stops when the maximal violating pair's gap is below `tolerance` (libsvm's `eps`).
/// Variables are kept in their original order; the active set is a permutation of indices that is
/// rearranged exactly as libsvm swaps variables, so selection ties break the same way.
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

    /// `signs` are ±1; `upper[i]` is Cᵢ.
    func solve(q: KernelRowCache, signs: [Double], upper: [Double]) -> Solution {
        let l = signs.count
        let tau = 1e-12
        var alpha = [Double](repeating: 0, count: l)
        var gradient = [Double](repeating: -1, count: l)     // Qα − e with α = 0
        var gradientBar = [Double](repeating: 0, count: l)   // Σ over αⱼ = Cⱼ of Cⱼ Q[·][j]
        enum Status: UInt8 { case lower, upper, free }
        var status = [Status](repeating: .lower, count: l)
        var order = Array(0..<l)
        var activeSize = l
        var unshrink = false
        let qd = q.diagonal

        func isUpper(_ i: Int) -> Bool { status[i] == .upper }
        func isLower(_ i: Int) -> Bool { status[i] == .lower }
        func updateStatus(_ i: Int) {
            status[i] = alpha[i] >= upper[i] ? .upper : alpha[i] <= 0 ? .lower : .free
        }

        func reconstructGradient() {
            guard activeSize < l else { return }
            for pos in activeSize..<l { let j = order[pos]; gradient[j] = gradientBar[j] - 1 }
            var free = 0
            for pos in 0..<activeSize where status[order[pos]] == .free { free += 1 }
            if free * l > 2 * activeSize * (l - activeSize) {
                for pos in activeSize..<l {
                    let i = order[pos]
                    let qi = q.row(i)
                    for a in 0..<activeSize { let j = order[a]; if status[j] == .free { gradient[i] += alpha[j] * Double(qi[j]) } }
                }
            } else {
                for a in 0..<activeSize {
                    let i = order[a]
                    guard status[i] == .free else { continue }
                    let qi = q.row(i), ai = alpha[i]
                    for pos in activeSize..<l { let j = order[pos]; gradient[j] += ai * Double(qi[j]) }
                }
            }
        }

        /// The maximal violating pair by second-order gain, or nil when optimal within tolerance.
        func selectWorkingSet() -> (Int, Int)? {
            var gMax = -Double.infinity, gMax2 = -Double.infinity
            var iBest = -1, jBest = -1
            var objDiffMin = Double.infinity
            for pos in 0..<activeSize {
                let t = order[pos]
                if signs[t] > 0 {
                    if !isUpper(t), -gradient[t] >= gMax { gMax = -gradient[t]; iBest = t }
                } else {
                    if !isLower(t), gradient[t] >= gMax { gMax = gradient[t]; iBest = t }
                }
            }
            guard iBest >= 0 else { return nil }
            let i = iBest
            let qi = q.row(i)
            for pos in 0..<activeSize {
                let j = order[pos]
                if signs[j] > 0 {
                    guard !isLower(j) else { continue }
                    let gradDiff = gMax + gradient[j]
                    if gradient[j] >= gMax2 { gMax2 = gradient[j] }
                    if gradDiff > 0 {
                        let quad = qd[i] + qd[j] - 2 * signs[i] * Double(qi[j])
                        let objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : tau)
                        if objDiff <= objDiffMin { jBest = j; objDiffMin = objDiff }
                    }
                } else {
                    guard !isUpper(j) else { continue }
                    let gradDiff = gMax - gradient[j]
                    if -gradient[j] >= gMax2 { gMax2 = -gradient[j] }
                    if gradDiff > 0 {
                        let quad = qd[i] + qd[j] + 2 * signs[i] * Double(qi[j])
                        let objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : tau)
                        if objDiff <= objDiffMin { jBest = j; objDiffMin = objDiff }
                    }
                }
            }
            if gMax + gMax2 < tolerance || jBest == -1 { return nil }
            return (i, jBest)
        }

        func shouldShrink(_ i: Int, _ gMax1: Double, _ gMax2: Double) -> Bool {
            if isUpper(i) { return signs[i] > 0 ? -gradient[i] > gMax1 : -gradient[i] > gMax2 }
            if isLower(i) { return signs[i] > 0 ? gradient[i] > gMax2 : gradient[i] > gMax1 }
            return false
        }

        func shrink() {
            var gMax1 = -Double.infinity, gMax2 = -Double.infinity
            for pos in 0..<activeSize {
                let i = order[pos]
                if signs[i] > 0 {
                    if !isUpper(i) { gMax1 = max(gMax1, -gradient[i]) }
                    if !isLower(i) { gMax2 = max(gMax2, gradient[i]) }
                } else {
                    if !isUpper(i) { gMax2 = max(gMax2, -gradient[i]) }
                    if !isLower(i) { gMax1 = max(gMax1, gradient[i]) }
                }
            }
            if !unshrink, gMax1 + gMax2 <= tolerance * 10 {
                unshrink = true
                reconstructGradient()
                activeSize = l
            }
            var pos = 0
            while pos < activeSize {
                if shouldShrink(order[pos], gMax1, gMax2) {
                    activeSize -= 1
                    while activeSize > pos {
                        if !shouldShrink(order[activeSize], gMax1, gMax2) {
                            order.swapAt(pos, activeSize)
                            break
                        }
                        activeSize -= 1
                    }
                }
                pos += 1
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

            let qi = q.row(i), qj = q.row(j)
            let ci = upper[i], cj = upper[j]
            let oldI = alpha[i], oldJ = alpha[j]
            if signs[i] != signs[j] {
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
            if activeSize == l {
                gradient.withUnsafeMutableBufferPointer { g in
                    for k in 0..<l { g[k] += Double(qi[k]) * dI + Double(qj[k]) * dJ }
                }
            } else {
                for pos in 0..<activeSize { let k = order[pos]; gradient[k] += Double(qi[k]) * dI + Double(qj[k]) * dJ }
            }

            let wasUpperI = isUpper(i), wasUpperJ = isUpper(j)
            updateStatus(i); updateStatus(j)
            if wasUpperI != isUpper(i) {
                let row = q.row(i), c = wasUpperI ? -ci : ci
                gradientBar.withUnsafeMutableBufferPointer { g in for k in 0..<l { g[k] += c * Double(row[k]) } }
            }
            if wasUpperJ != isUpper(j) {
                let row = q.row(j), c = wasUpperJ ? -cj : cj
                gradientBar.withUnsafeMutableBufferPointer { g in for k in 0..<l { g[k] += c * Double(row[k]) } }
            }
        }
        if iterations >= maxIterations {
            reachedMax = true
            reconstructGradient()
            activeSize = l
        }

        // ρ: the mean of yᵢ∇ᵢ over free variables, or the middle of the feasible interval when none is free.
        var upperBound = Double.infinity, lowerBound = -Double.infinity, freeSum = 0.0, freeCount = 0
        for pos in 0..<activeSize {
            let i = order[pos]
            let yg = signs[i] * gradient[i]
            switch status[i] {
            case .upper: if signs[i] < 0 { upperBound = min(upperBound, yg) } else { lowerBound = max(lowerBound, yg) }
            case .lower: if signs[i] > 0 { upperBound = min(upperBound, yg) } else { lowerBound = max(lowerBound, yg) }
            case .free: freeCount += 1; freeSum += yg
            }
        }
        let rho = freeCount > 0 ? freeSum / Double(freeCount) : (upperBound + lowerBound) / 2
        return Solution(alpha: alpha, rho: rho, iterations: iterations, reachedMaxIterations: reachedMax)
    }
}
