import { lazy, Suspense, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import { useSession, can } from "./auth/session";
import { Shell } from "./layout/Shell";
import { homePath } from "./nav";
import { Loading } from "./components/States";
import { LoginPage } from "./pages/Login";
import { SetPasswordPage } from "./pages/SetPassword";
import { NotAllowed, NotFound } from "./pages/NotAllowed";

const Users = lazy(() => import("./pages/admin/Users"));
const UserDetail = lazy(() => import("./pages/admin/UserDetail"));
const Organisations = lazy(() => import("./pages/admin/Organisations"));
const Roles = lazy(() => import("./pages/admin/Roles"));
const ApiKeys = lazy(() => import("./pages/admin/ApiKeys"));
const Approvals = lazy(() => import("./pages/admin/Approvals"));
const Audit = lazy(() => import("./pages/Audit"));
const Monitoring = lazy(() => import("./pages/Monitoring"));
const Accounts = lazy(() => import("./pages/accounts/Accounts"));
const AccountDetail = lazy(() => import("./pages/accounts/AccountDetail"));
const Transfer = lazy(() => import("./pages/accounts/Transfer"));
const Profile = lazy(() => import("./pages/Profile"));
const Feedback = lazy(() => import("./pages/support/Feedback"));
const FeedbackInbox = lazy(() => import("./pages/support/FeedbackInbox"));
const CustomerThread = lazy(() => import("./pages/support/ThreadView").then((m) => ({ default: m.CustomerThread })));
const StaffThread = lazy(() => import("./pages/support/ThreadView").then((m) => ({ default: m.StaffThread })));

function RequireAuth({ children }: { children: ReactNode }) {
  const { me, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <>{children}</>;
}

/** A page of a section: rendered only when the user has the section (the server enforces it too). */
function Section({ name, level = "read", children }: { name: string; level?: "read" | "write" | "approve"; children: ReactNode }) {
  const { me } = useSession();
  if (!can(me, name, level)) return <NotAllowed />;
  return <>{children}</>;
}

function Home() {
  const { me } = useSession();
  return me ? <Navigate to={homePath(me)} replace /> : <Navigate to="/login" replace />;
}

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/set-password" element={<SetPasswordPage />} />
        <Route
          element={
            <RequireAuth>
              <Shell />
            </RequireAuth>
          }
        >
          <Route index element={<Home />} />
          <Route path="/accounts" element={<Section name="accounts"><Accounts /></Section>} />
          <Route path="/accounts/:id" element={<Section name="accounts"><AccountDetail /></Section>} />
          <Route path="/transfer" element={<Section name="accounts" level="write"><Transfer /></Section>} />
          <Route path="/admin" element={<Navigate to="/admin/users" replace />} />
          <Route path="/admin/users" element={<Section name="admin"><Users /></Section>} />
          <Route path="/admin/users/:id" element={<Section name="admin"><UserDetail /></Section>} />
          <Route path="/admin/organisations" element={<Section name="admin"><Organisations /></Section>} />
          <Route path="/admin/roles" element={<Section name="admin"><Roles /></Section>} />
          <Route path="/admin/api-keys" element={<Section name="admin"><ApiKeys /></Section>} />
          <Route path="/admin/approvals" element={<Section name="admin"><Approvals /></Section>} />
          <Route path="/audit" element={<Section name="audit"><Audit /></Section>} />
          <Route path="/monitoring" element={<Section name="monitoring"><Monitoring /></Section>} />
          <Route path="/feedback" element={<Section name="support"><Feedback /></Section>} />
          <Route path="/feedback/:id" element={<Section name="support"><CustomerThread /></Section>} />
          <Route path="/support/inbox" element={<Section name="support"><FeedbackInbox /></Section>} />
          <Route path="/support/inbox/:id" element={<Section name="support"><StaffThread /></Section>} />
          <Route path="/profile" element={<Profile />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AppRoutes />
    </BrowserRouter>
  );
}
