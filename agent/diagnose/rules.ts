// The built-in catalogue of failure causes, from the users' Betzy guide and the errors their libraries print.
// Each rule matches a cause in the several shapes library versions give it, not one exact string.

/** Hints may name `{workRoot}`: the configured work root replaces it (see hint-paths.ts). */
export interface Rule {
  /** Stable cause id (design.md §3). Several rules may share one cause with different hints. */
  cause: string;
  /** Any one matching is enough. Never use the g or y flag: these regexes are reused. */
  patterns: RegExp[];
  /** A line matching any of these is not this cause even when a pattern matches. */
  unless?: RegExp[];
  hint: string;
}

// Slurm's stepd/srun end-of-job banner: "*** JOB 1234 ON node1 CANCELLED AT 2026-11-28T12:00:00 DUE TO ... ***";
// older versions omit "ON node", srun writes "*** STEP 1234.0 ...".
const BANNER = String.raw`\*\*\*\s*(?:JOB|STEP)\s+[\d_.]+\w*\s+(?:ON\s+\S+\s+)?CANCELLED\s+AT\s+\S+`;

export const MEM_ON_NORMAL_HINT =
  "Betzy's normal partition refuses --mem (it allocates whole nodes): drop --mem there, or use preproc " +
  '(CPU, 1 day) or accel (GPU, 7 days) where --mem is allowed.';

const AZURE = String.raw`(?:blob\.core\.windows\.net|/vsiaz|[?&]sig=|[?&]se=\d{4})`;

export const BUILTIN_RULES: readonly Rule[] = [
  // --- storage ---------------------------------------------------------------------------------------------
  {
    cause: 'disk-quota',
    patterns: [
      /\/cluster\/projects\/.*(?:quota exceeded|EDQUOT|Errno 122|\(122\))/i,
      /(?:quota exceeded|EDQUOT|Errno 122|\(122\)).*\/cluster\/projects\//i,
    ],
    hint:
      'Data was written into project space (/cluster/projects), whose quota is small and shared: write data, ' +
      'logs, shards, checkpoints and temp files under {workRoot} instead (rsync to project ' +
      'space fails for the same reason; use scp or rsync --inplace for code).',
  },
  {
    cause: 'disk-quota',
    patterns: [
      /disk quota exceeded/i,
      /\bEDQUOT\b/,
      /\[Errno 122\]/,
      /write failed.*\(122\)/i,
      /PytorchStreamWriter failed writing file/,
    ],
    hint:
      'A disk quota is full. Check with `dusage`; keep everything large in the work area ' +
      '({workRoot}), never in $HOME or project space, and delete what is no longer needed.',
  },
  {
    cause: 'no-space',
    patterns: [/No space left on device/i, /\bENOSPC\b/, /\[Errno 28\]/],
    hint:
      "A filesystem is full, often the node's small /tmp: set TMPDIR={workRoot}/tmp " +
      'in the job script (and check `dusage`).',
  },
  // --- container and environment ---------------------------------------------------------------------------
  {
    cause: 'proj-db',
    patterns: [
      /EPSG code (?:is )?unknown/i,
      /DATABASE\.LAYOUT\.VERSION/,
      /proj\.db.*(?:another PROJ installation|whereas a number|cannot be opened|failed|not found)/i,
      /Cannot find proj\.db/i,
      /no database context specified/i,
      /proj_create(?:_from_database|_from_name)?:.*crs not found/i,
      /Invalid projection:\s*epsg:\d+.*Internal Proj Error/i,
    ],
    hint:
      "pyproj loaded its own PROJ database, which is older than rasterio's: pass " +
      '--env "PROJ_DATA=/opt/conda/lib/python3.11/site-packages/rasterio/proj_data" to apptainer exec.',
  },
  {
    cause: 'python-path',
    patterns: [/No module named ['"]?src(?:\.[\w.]+)?['"]?(?!\w)/],
    hint:
      'Python cannot see the project: pass --env "PYTHONPATH=<the project folder, the one holding src/>" to ' +
      'apptainer exec.',
  },
  {
    cause: 'module-not-found',
    patterns: [/No module named ['"]?[\w.]+/, /\bModuleNotFoundError:/],
    hint:
      'A Python package is missing: run the step inside the project container (apptainer exec ... emb.sif) ' +
      'rather than the host Python, or add the package to the container.',
  },
  {
    cause: 'library-missing',
    patterns: [/error while loading shared libraries: \S+/, /\.so[.\d]*: cannot open shared object file/],
    hint: 'A shared library is missing: run the step inside the project container, or load the module that provides it.',
  },
  {
    cause: 'container-missing',
    patterns: [
      /FATAL:\s+could not open image/i,
      // Bounded gaps: with two unbounded .* a crafted 8 KiB line took 1.4 s; bounded, 6 ms.
      /FATAL:.{0,256}?\.sif\b.{0,256}?(?:no such file|not found|does not exist)/i,
      /FATAL:\s+image file .*(?:not found|does not exist)/i,
      /\b(?:apptainer|singularity): (?:command )?not found/i,
    ],
    hint:
      'The container could not be started: check the .sif path given to apptainer exec ' +
      'and that apptainer is on PATH in the job.',
  },
  {
    cause: 'modules-missing',
    patterns: [/\bmodule: (?:command )?not found/],
    hint: 'Batch shells do not load the module system: `source /etc/profile.d/modules.sh` first, or use `bash -l`.',
  },
  {
    cause: 'gpu-missing',
    patterns: [
      /Found no NVIDIA driver on your system/i,
      /No CUDA GPUs are available/i,
      /no CUDA-capable device is detected/i,
      /CUDA driver initialization failed/i,
      /Could not find any nv(?:idia)? (?:files|libraries) on this host/i,
    ],
    hint: 'The job sees no GPU: request one (--partition=accel --gpus=N) and add --nv to apptainer exec.',
  },
  // --- memory ---------------------------------------------------------------------------------------------
  {
    cause: 'cuda-oom',
    patterns: [
      /CUDA out of memory/i,
      /CUDA error: out of memory/i,
      /torch(?:\.cuda)?\.OutOfMemoryError/,
      /CUBLAS_STATUS_ALLOC_FAILED|CUDNN_STATUS_ALLOC_FAILED|cudaErrorMemoryAllocation/,
      /RESOURCE_EXHAUSTED: Out of memory/,
    ],
    hint:
      'The GPU (A100, 40 GB) ran out of memory: lower the batch size or use gradient accumulation; ' +
      'PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True helps with fragmentation.',
  },
  {
    cause: 'oom-kill',
    patterns: [
      /Detected \d+ oom[-_]kill event/i,
      /killed by the cgroup out-of-memory handler/i,
      /have been OOM Killed/i,
      /OOM detected for task/i,
      /task \d+: Out Of Memory/i,
      /exceeded (?:job )?memory limit/i,
      /Memory cgroup out of memory/i,
      /Out of memory: Killed? process \d+/i,
    ],
    hint:
      'The job used more memory than it asked for and was killed: compare MaxRSS with ReqMem in sacct and ' +
      'raise --mem (not on the normal partition, which refuses --mem), or use fewer workers per task.',
  },
  // --- scheduler -------------------------------------------------------------------------------------------
  {
    cause: 'sbatch-rejected',
    patterns: [
      /sbatch: error:.{0,256}?(?:--mem\b|\bmem(?:ory)?\b).{0,256}?\bnormal\b/i,
      /sbatch: error:.{0,256}?\bnormal\b.{0,256}?(?:--mem\b|\bmem(?:ory)?\b)/i,
    ],
    hint: MEM_ON_NORMAL_HINT,
  },
  {
    cause: 'sbatch-rejected',
    patterns: [/\bsbatch: error: /, /Batch job submission failed:/i],
    unless: [
      /Socket timed out|temporarily unable to accept|Unable to contact slurm controller|Resource temporarily unavailable|try again/i,
    ],
    hint: 'Slurm refused the submission: read the reason after "error:" (account, partition, time or memory limits).',
  },
  {
    cause: 'time-limit',
    patterns: [new RegExp(`${BANNER}\\s+DUE\\s+TO\\s+TIME\\s+LIMIT`, 'i'), /\bDUE TO TIME LIMIT\b/i],
    hint:
      'The task reached its wall-time. If it checkpoints on SIGTERM (--signal=B:TERM@120) the agent resumes it; ' +
      'otherwise raise --time or split the work.',
  },
  {
    cause: 'preempted',
    patterns: [new RegExp(`${BANNER}\\s+DUE\\s+TO\\s+PREEMPTION`, 'i')],
    hint: 'Slurm preempted the task for a higher-priority job; it is resumed like a time-out.',
  },
  {
    cause: 'node-fail',
    patterns: [
      new RegExp(`${BANNER}\\s+DUE\\s+TO\\s+NODE\\s+FAIL`, 'i'),
      /\bsrun: error: Node failure on\b/i,
    ],
    hint: "The node failed under the task; this is not the job's fault and the task is resumed.",
  },
  {
    cause: 'cancelled',
    patterns: [new RegExp(`${BANNER}\\s*(?:DUE\\s+TO\\s+JOB\\s+REQUEUE\\s*)?\\*\\*\\*`, 'i')],
    hint:
      "Slurm cancelled the task: by a user (scancel) or, on some versions, at the time limit; sacct's State " +
      'tells which (CANCELLED by UID or TIMEOUT).',
  },
  {
    cause: 'job-failed',
    patterns: [/\*\*\*\s*(?:JOB|STEP)\s+[\d_.]+\w*\s+(?:ON\s+\S+\s+)?FAILED \(non-zero exit code/i],
    hint: 'The job script exited with an error; the lines before this one say why.',
  },
  {
    cause: 'killed',
    patterns: [/line \d+:\s+\d+\s+Killed\s/, /exitcode\s*:\s*-9\b/, /Signal 9 \(SIGKILL\) received by PID/i],
    hint:
      'A process was killed with SIGKILL: usually memory (sacct State OUT_OF_MEMORY, MaxRSS) or the grace ' +
      'period after the time limit.',
  },
  {
    cause: 'nccl-error',
    patterns: [
      /Watchdog caught collective operation timeout/i,
      /DistBackendError: NCCL/,
      /NCCL (?:error|communicator was aborted)/i,
      /ProcessGroupNCCL.*(?:timed out|timeout)/i,
    ],
    hint:
      'A DDP collective failed or hung, usually because one rank died first: look for the first error on any ' +
      'rank; NCCL_DEBUG=INFO says more.',
  },
  // --- remote data --------------------------------------------------------------------------------------------
  {
    cause: 'sas-expired',
    patterns: [
      /AuthenticationFailed/,
      /Signature not valid in the specified time frame/i,
      /Server failed to authenticate the request/i,
      /Signed expiry time .*(?:must be after|has expired)/i,
      /AuthorizationFailure|not authorized to perform this operation/i,
      new RegExp(`${AZURE}.*(?:HTTP (?:response|error) code|status(?: code)?)\\s*:?\\s*403\\b`, 'i'),
      new RegExp(`(?:HTTP (?:response|error) code|status(?: code)?)\\s*:?\\s*403\\b.*${AZURE}`, 'i'),
      new RegExp(`${AZURE}.*does not exist in the file system`, 'i'),
    ],
    hint:
      'The Planetary Computer SAS token expired (GDAL reports it as "does not exist in the file system"): ' +
      'read the token the agent refreshes (emb-client tokens) before each open, not once at start.',
  },
  {
    cause: 'remote-unreadable',
    patterns: [/(?:\/vsicurl\/|\/vsis3\/|https?:\/\/).*does not exist in the file system/i],
    hint:
      'GDAL could not read a remote file and hides the HTTP error as "does not exist": set CPL_CURL_VERBOSE=YES ' +
      'to see the status (403 expired token, 404 wrong path, 5xx server trouble).',
  },
  {
    cause: 'http-502',
    patterns: [
      /\b502\b.{0,40}Bad Gateway/i,
      /Bad Gateway.{0,40}\b502\b/i,
      /HTTP (?:error|response) code\s*:?\s*502\b/i,
      /too many 502 error responses/i,
      /\(502\) when calling/,
      /status(?: code)?\s*[:=]?\s*502\b/i,
    ],
    hint:
      'HTTP 502 from the server, typically Source Cooperative when more than 12-20 connections are open at once: ' +
      'lower the concurrency (tasks x workers per task) and retry with backoff.',
  },
  {
    cause: 'http-429',
    patterns: [
      /\b429\b.{0,40}Too Many Requests/i,
      /Too Many Requests.{0,40}\b429\b/i,
      /HTTP (?:error|response) code\s*:?\s*429\b/i,
      /Rate limit is exceeded/i,
      /\bSlowDown\b.*reduce your request rate/i,
    ],
    hint: 'The server is rate-limiting: fewer concurrent requests, and back off before retrying.',
  },
  {
    cause: 'gdal-http-timeout',
    patterns: [
      /CURL error:.*timed out/i,
      /Read timed out/i,
      /\b(?:ReadTimeoutError|ConnectTimeoutError|ServerTimeoutError|ConnectTimeout|ReadTimeout)\b/,
      /HTTP (?:error|response) code\s*:?\s*504\b/i,
    ],
    hint:
      'Remote reads timed out: set GDAL_HTTP_TIMEOUT=60, GDAL_HTTP_MAX_RETRY=3 and GDAL_HTTP_RETRY_DELAY=2 ' +
      "(the guide's apptainer template), and keep concurrency low.",
  },
  {
    cause: 'no-internet',
    patterns: [
      /Could not resolve host/i,
      /Temporary failure in name resolution/i,
      /Name or service not known/i,
      /Network is unreachable/i,
      /\[Errno -[23]\]/,
    ],
    hint:
      'The node cannot reach the internet (Betzy compute nodes have none): download on a login node or a ' +
      'partition with access, and have the job read local copies.',
  },
];
