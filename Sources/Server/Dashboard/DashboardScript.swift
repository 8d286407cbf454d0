extension HTML {
    /// The dashboard's one script (no build step, no CDN), admitted by the Content-Security-
    /// Policy through its hash.
    ///
    /// - Buttons and the backfill form post with the token from the password field (kept in
    ///   sessionStorage); a "full log" link fetches with it when one is set (opening a blob).
    /// - Live updates: it reads `GET /api/v1/events` with `fetch` (an EventSource cannot send
    ///   the read token), resumes with `Last-Event-ID`, and on events re-renders `#live` from
    ///   the server (one fetch per burst, at most one a second), never the whole page. `#conn`
    ///   says whether the runner is reachable; reconnects back off from 1 s to 10 s.
    /// - Times are shown in the viewer's zone, UTC on hover; the overview's search box and
    ///   filters (failing, paused, running) hide rows, kept across updates.
    /// - It marks `<html data-script=ran>`, `data-live=up|down` and `data-live-updates=N`:
    ///   `make dashboard-check` reads them to prove the script ran under the policy and that a
    ///   run appeared without a reload.
    static let script = #"""
        const $=(id)=>document.getElementById(id);const html=document.documentElement;
        const token=$('token');token.value=sessionStorage.getItem('almanac-token')||'';
        token.addEventListener('change',()=>sessionStorage.setItem('almanac-token',token.value));
        const auth=()=>token.value?{'Authorization':'Bearer '+token.value}:{};
        const flash=(t)=>{$('flash').textContent=t};
        document.addEventListener('click',async(e)=>{const b=e.target.closest('button[data-action]');if(!b)return;
        const r=await fetch(b.dataset.action,{method:'POST',headers:auth()});
        const j=await r.json().catch(()=>({}));flash(r.ok?(b.textContent+' '+(j.job||'')+': ok'):('error '+r.status+': '+((j.error||{}).message||'')));refresh(false);});
        document.addEventListener('click',async(e)=>{const a=e.target.closest('a[data-log]');if(!a||!token.value)return;e.preventDefault();
        const r=await fetch(a.href,{headers:auth()});if(!r.ok){flash('error '+r.status+': log');return;}
        window.open(URL.createObjectURL(new Blob([await r.text()],{type:'text/plain;charset=utf-8'})));});
        function localTimes(){for(const t of document.querySelectorAll('time[datetime]')){if(t.dataset.local)continue;
        const d=new Date(t.dateTime);if(isNaN(d))continue;t.title=t.dateTime;t.dataset.local='1';
        t.textContent=d.toLocaleString(undefined,{year:'numeric',month:'2-digit',day:'2-digit',hour:'2-digit',minute:'2-digit',second:'2-digit',timeZoneName:'short'});}}
        const q=$('q'),show=$('show');
        function filter(){if(!q)return;const text=q.value.trim().toLowerCase(),want=show.value;let shown=0,all=0;
        for(const tr of document.querySelectorAll('tr[data-name]')){all++;const flags=(tr.dataset.flags||'').split(' ');
        const hit=(!text||tr.dataset.name.includes(text))&&(!want||flags.includes(want));tr.hidden=!hit;if(hit)shown++;}
        $('count').textContent=(text||want)?shown+' of '+all+' shown':'';}
        if(q){q.value=sessionStorage.getItem('almanac-q')||'';show.value=sessionStorage.getItem('almanac-show')||'';
        q.addEventListener('input',()=>{sessionStorage.setItem('almanac-q',q.value);filter();});
        show.addEventListener('change',()=>{sessionStorage.setItem('almanac-show',show.value);filter();});}
        let updates=0;
        async function refresh(live){try{const r=await fetch(location.pathname,{headers:auth(),cache:'no-store'});
        if(!r.ok)return;const d=new DOMParser().parseFromString(await r.text(),'text/html');
        $('live').innerHTML=d.getElementById('live').innerHTML;localTimes();filter();
        if(live)html.dataset.liveUpdates=String(++updates);}catch(e){}}
        const form=$('backfill');
        if(form)form.addEventListener('submit',async(e)=>{e.preventDefault();const f=new FormData(form);
        const dry=e.submitter&&e.submitter.value==='preview';const at=(v)=>v?new Date(v).toISOString():'';
        const body={from:at(f.get('from')),to:at(f.get('to')),parallel:Number(f.get('parallel')||1),rerun:f.get('rerun')==='on',dryRun:dry};
        const r=await fetch(form.dataset.action,{method:'POST',headers:Object.assign({'Content-Type':'application/json'},auth()),body:JSON.stringify(body)});
        const j=await r.json().catch(()=>({}));const out=$('backfill-result');
        if(!r.ok){out.textContent='error '+r.status+': '+((j.error||{}).message||'');return;}
        const runs=(j.occurrences||[]).filter((o)=>o.action==='run').map((o)=>o.scheduledAt);
        out.textContent=(dry?'would run ':'queued ')+j.runs+' occurrence(s)'+(j.skipped?', '+j.skipped+' skipped':'')
        +(runs.length?': '+runs.slice(0,5).join(', ')+(runs.length>5?', …':''):'');});
        const conn=$('conn');let lastId=null,backoff=1000,timer=null;
        function mark(state,text){conn.className=state;conn.textContent=text;html.dataset.live=state;}
        let last=0;function soon(){if(timer)return;const wait=Math.max(150,1000-(Date.now()-last));
        timer=setTimeout(()=>{timer=null;last=Date.now();refresh(true);},wait);}
        async function listen(){const job=document.body.dataset.job;let why='○ runner unreachable, reconnecting…';
        const headers=auth();if(lastId!==null)headers['Last-Event-ID']=lastId;
        try{const r=await fetch('/api/v1/events?heartbeat=10'+(job?'&job='+encodeURIComponent(job):''),{headers,cache:'no-store'});
        if(r.ok){mark('up','● live');backoff=1000;const reader=r.body.getReader(),dec=new TextDecoder();let buf='';
        for(;;){const {value,done}=await reader.read();if(done)break;buf+=dec.decode(value,{stream:true});let i;
        while((i=buf.indexOf('\n\n'))>=0){const block=buf.slice(0,i);buf=buf.slice(i+2);let id=null,kind=null;
        for(const line of block.split('\n')){if(line.startsWith('id: '))id=line.slice(4);else if(line.startsWith('event: '))kind=line.slice(7);}
        if(id!==null)lastId=id;if(kind)soon();}}}
        else why=r.status===401?'○ needs the read token':'○ runner answered '+r.status+', retrying…';}catch(e){}
        mark('down',why);setTimeout(listen,backoff);backoff=Math.min(backoff*2,10000);}
        localTimes();filter();listen();html.dataset.script='ran';
        """#
}
