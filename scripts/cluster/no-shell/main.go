// Command act is the only file of the embedded cluster's image without a shell (sequential-job.local/no-shell:1,
// built by scripts/cluster/images.sh), so the end-to-end tests can give a `command` step that image and still make
// it print, write files, take time, fail or fail a number of times, the way a real program would. It performs its
// arguments' actions in order:
//
//	print TEXT               TEXT and a newline on stdout
//	write FILE TEXT          FILE holds exactly TEXT (created or truncated)
//	append FILE TEXT         TEXT and a newline added to FILE (created if missing)
//	sleep SECONDS            wait (a decimal number)
//	exit CODE                stop here with exit code CODE
//	fail-first N FILE CODE   count this run in FILE; exit with CODE if it is one of the first N counted there
//
// and exits 0 after the last. SIGTERM or SIGINT ends it with 128 plus the signal's number, as a shell reports it,
// even as a container's process 1 (which the kernel shields from signals it has no handler for). A bad argument exits
// 2, naming it.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func usage(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "act: "+format+"\n", args...)
	os.Exit(2)
}

func number(verb, what, s string, max int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max {
		usage("%s: %s must be a whole number from 0 to %d, not %q", verb, what, max, s)
	}
	return n
}

func must(verb string, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "act: %s: %v\n", verb, err)
		os.Exit(1)
	}
}

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		sig := <-signals
		fmt.Fprintf(os.Stderr, "act: stopped by %v\n", sig)
		os.Exit(128 + int(sig.(syscall.Signal)))
	}()

	operands := map[string]int{"print": 1, "write": 2, "append": 2, "sleep": 1, "exit": 1, "fail-first": 3}
	args := os.Args[1:]
	for len(args) > 0 {
		verb := args[0]
		n, known := operands[verb]
		if !known {
			usage("unknown action %q (print, write, append, sleep, exit, fail-first)", verb)
		}
		if len(args) < 1+n {
			usage("%s needs %d operand(s), got %d", verb, n, len(args)-1)
		}
		op := args[1 : 1+n]
		args = args[1+n:]
		switch verb {
		case "print":
			fmt.Println(op[0])
		case "write":
			must(verb, os.WriteFile(op[0], []byte(op[1]), 0o644))
		case "append":
			f, err := os.OpenFile(op[0], os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			must(verb, err)
			_, err = f.WriteString(op[1] + "\n")
			must(verb, err)
			must(verb, f.Close())
		case "sleep":
			seconds, err := strconv.ParseFloat(op[0], 64)
			if err != nil || seconds < 0 {
				usage("sleep: SECONDS must be a number of seconds, not %q", op[0])
			}
			time.Sleep(time.Duration(seconds * float64(time.Second)))
		case "exit":
			os.Exit(number(verb, "CODE", op[0], 255))
		case "fail-first":
			limit, file, code := number(verb, "N", op[0], 1<<30), op[1], number(verb, "CODE", op[2], 255)
			earlier := 0
			if data, err := os.ReadFile(file); err == nil {
				earlier = strings.Count(string(data), "\n")
			} else if !os.IsNotExist(err) {
				must(verb, err)
			}
			f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			must(verb, err)
			_, err = f.WriteString("run\n")
			must(verb, err)
			must(verb, f.Close())
			if earlier < limit {
				fmt.Fprintf(os.Stderr, "act: fail-first: run %d of the first %d: exit %d\n", earlier+1, limit, code)
				os.Exit(code)
			}
		}
	}
}
