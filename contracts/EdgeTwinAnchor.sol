// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title EdgeTwin checkpoint anchors
/// @notice An append-only log of Merkle roots (RFC 6962) over the ETP/1 checkpoints an ingest
/// verified. Anchor n covers leaves [firstLeaf, firstLeaf + treeSize) of the ingest's leaf log; it
/// names the root of anchor n-1, so the anchors form a hash chain no one can rewrite or reorder.
/// Only hashes are written here: nothing personal.
contract EdgeTwinAnchor {
    struct Anchor {
        bytes32 root;
        uint64 firstLeaf;
        uint64 treeSize;
        uint64 time;
    }

    /// @notice The one address that may anchor (the ingest's anchoring key).
    address public immutable anchorer;

    Anchor[] private anchors;

    event Anchored(uint256 indexed index, bytes32 indexed root, uint64 firstLeaf, uint64 treeSize, bytes32 previousRoot, uint64 time);

    error NotAnchorer(address sender);
    error EmptyTree();
    error NotNext(uint64 expectedFirstLeaf, uint64 firstLeaf);
    error PreviousMismatch(bytes32 expected, bytes32 given);

    constructor() {
        anchorer = msg.sender;
    }

    /// @notice Appends an anchor. `previousRoot` must be the root of the last anchor (zero for the
    /// first) and `firstLeaf` the leaf right after the last anchor's, so a retried transaction that
    /// already landed fails instead of anchoring twice.
    function anchor(bytes32 root, uint64 firstLeaf, uint64 treeSize, bytes32 previousRoot) external returns (uint256 index) {
        if (msg.sender != anchorer) revert NotAnchorer(msg.sender);
        if (treeSize == 0) revert EmptyTree();
        uint64 next = 0;
        bytes32 last = bytes32(0);
        if (anchors.length > 0) {
            Anchor storage a = anchors[anchors.length - 1];
            next = a.firstLeaf + a.treeSize;
            last = a.root;
        }
        if (firstLeaf != next) revert NotNext(next, firstLeaf);
        if (previousRoot != last) revert PreviousMismatch(last, previousRoot);
        index = anchors.length;
        anchors.push(Anchor(root, firstLeaf, treeSize, uint64(block.timestamp)));
        emit Anchored(index, root, firstLeaf, treeSize, previousRoot, uint64(block.timestamp));
    }

    function count() external view returns (uint256) {
        return anchors.length;
    }

    function get(uint256 index) external view returns (bytes32 root, uint64 firstLeaf, uint64 treeSize, uint64 time) {
        Anchor storage a = anchors[index];
        return (a.root, a.firstLeaf, a.treeSize, a.time);
    }
}
