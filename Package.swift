// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Assay",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Assay", targets: ["Assay"]),
        .executable(name: "assay", targets: ["assay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "AssayCore"),
        .target(name: "AssayData", dependencies: ["AssayCore"]),
        .target(name: "AssayKernels"),
        .target(name: "AssayLearn", dependencies: ["AssayCore", "AssayKernels"]),
        .target(name: "AssaySpec", dependencies: ["AssayCore", .product(name: "Yams", package: "Yams")]),
        .target(name: "AssayEngine"),
        .target(name: "AssayReport", dependencies: ["AssayCore"]),
        .target(name: "Assay", dependencies: ["AssayCore", "AssayData", "AssayLearn", "AssaySpec", "AssayEngine", "AssayReport", "AssayKernels"]),
        .executableTarget(name: "assay", dependencies: ["Assay", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "assay-bench", dependencies: ["AssayData", "AssayLearn", "TestSupport"], path: "bench/Sources/assay-bench"),
        .target(name: "AssayFuzzTargets", dependencies: ["Assay"], path: "fuzz/Sources/AssayFuzzTargets"),
        .executableTarget(name: "assay-fuzz", dependencies: ["AssayFuzzTargets"], path: "fuzz/Sources/assay-fuzz"),

        .target(name: "TestSupport", dependencies: ["AssayCore", "AssayLearn"], path: "Tests/TestSupport"),
        .testTarget(name: "AssayCoreTests", dependencies: ["AssayCore", "TestSupport"]),
        .testTarget(name: "AssayDataTests", dependencies: ["AssayData", "AssayReport", "TestSupport"]),
        .testTarget(name: "AssayLearnTests", dependencies: ["AssayLearn", "AssaySpec", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AssaySpecTests", dependencies: ["AssaySpec", "AssayLearn", "TestSupport"]),
        .testTarget(name: "AssayEngineTests", dependencies: ["AssayEngine"]),
        .testTarget(name: "AssayReportTests", dependencies: ["AssayReport"]),
        .testTarget(name: "AssayTests", dependencies: ["Assay", "AssayFuzzTargets", "TestSupport"]),
    ]
)
