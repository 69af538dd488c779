//! Threads of our own, started with pthread_create itself. std's thread spawn (and tokio's
//! blocking pool, which uses it) links the code that names threads, and musl names them
//! through snprintf: that pulls all of printf into the binary (about 14 KB) for threads
//! that need no name.

use std::io;

/// Runs `job` on a new detached thread with a `stack`-byte stack.
pub fn spawn_detached(stack: usize, job: Box<dyn FnOnce() + Send>) -> io::Result<()> {
    extern "C" fn start(arg: *mut libc::c_void) -> *mut libc::c_void {
        // SAFETY: `arg` is the box leaked below, and only this thread takes it back.
        let job = unsafe { Box::from_raw(arg.cast::<Box<dyn FnOnce() + Send>>()) };
        job();
        std::ptr::null_mut()
    }
    let arg = Box::into_raw(Box::new(job));
    // SAFETY: plain pthread calls on locals; on failure the box is taken back here, on
    // success the new thread owns it.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        libc::pthread_attr_init(&mut attr);
        libc::pthread_attr_setstacksize(&mut attr, stack);
        libc::pthread_attr_setdetachstate(&mut attr, libc::PTHREAD_CREATE_DETACHED);
        let mut thread: libc::pthread_t = std::mem::zeroed();
        let rc = libc::pthread_create(&mut thread, &attr, start, arg.cast());
        libc::pthread_attr_destroy(&mut attr);
        if rc != 0 {
            drop(Box::from_raw(arg));
            return Err(io::Error::from_raw_os_error(rc));
        }
    }
    Ok(())
}
