// Integration tests start real gateways and pods with 1-second probes on a 2-core machine: one at a time,
// so that timing stays what the tests assume.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
