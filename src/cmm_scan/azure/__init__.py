"""The Azure adapter: Resource Graph first, ARM per resource only for what it lacks, Microsoft Graph for
Entra ID, all as plain REST on azure-core (docs/azure.md). Imported only when an Azure scan runs."""
