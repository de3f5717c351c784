// Command etcd runs etcd's own entry point (go.etcd.io/etcd/server/v3/etcdmain), built by scripts/cluster/build.sh.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
