module sequential-job/cluster/no-shell

go 1.24.0
