"""What only the tests need beyond the sequential_job package: Kubernetes and Volcano schema validation
(`harness.schemas`), sample values made from schema definitions (`harness.samples`), and the local signing key, chart
repository and OCI registry the publishing tests run against (`harness.publishing`)."""
