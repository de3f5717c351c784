module sequential-job/cluster/pause

go 1.24.0
