// Command pause is the sandbox ("pause") container of the embedded cluster's pods: it holds the pod's
// namespaces open, reaps orphaned children, and exits on SIGINT or SIGTERM. There is no registry here,
// so scripts/cluster/images.sh builds it into a local image instead of pulling registry.k8s.io/pause.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
